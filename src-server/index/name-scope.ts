/**
 * Which repositories a listing or a search of the index may show: all of them (null), or only
 * those whose name matches one of a list of SQLite GLOB patterns (an empty list: none). The
 * patterns travel as one JSON parameter, never as SQL text, so no pattern can change a query.
 * auth/rules.ts `globOfPattern` makes them from access-rule patterns, with the same meaning.
 */

/** Null for every repository, else the GLOB patterns a repository's name must match one of. */
export type NameScope = readonly string[] | null;

/** The SQL condition that `column` is in scope; bind {@link scopeParams} where it stands. */
export function inScope(column: string): string {
  return `(? IS NULL OR EXISTS (SELECT 1 FROM json_each(?) g WHERE ${column} GLOB g.value))`;
}

/** The two parameters of one {@link inScope} condition. */
export function scopeParams(scope: NameScope | undefined): [string | null, string | null] {
  const json = scope == null ? null : JSON.stringify(scope);
  return [json, json];
}
