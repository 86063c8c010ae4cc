/**
 * The part of `semver` (a dependency) that sync uses. `@types/semver` could not be installed on
 * the machine this was written on (no registry access); replace this file with it when it can.
 */
declare module 'semver' {
  /** The version if `v` is a valid one (`1.2.3`, `v1.2.3`), else null. */
  export function valid(v: string): string | null;
  /** The normalized range if `range` is valid, else null. */
  export function validRange(range: string): string | null;
  /** Whether `version` is in `range`. */
  export function satisfies(version: string, range: string, options?: { includePrerelease?: boolean }): boolean;
  /** -1, 0 or 1 as `a` is lower than, equal to or higher than `b`. */
  export function compare(a: string, b: string): -1 | 0 | 1;
}
