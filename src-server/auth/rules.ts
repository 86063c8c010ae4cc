/**
 * Access rules: `right@pattern` lists such as `pull@*,push@team/*` (the seeds' `user:pass:pull@match`).
 *
 * Rights: `pull` (read manifests, blobs, tags, referrers), `push` (upload, tag; implies pull),
 * `delete` (delete manifests, tags and blobs; implies pull), `admin` (everything, including the
 * catalog of every repository and managing users).
 * Patterns are matched against the whole repository name: `*` matches any run of characters
 * including `/` (so `team/*` covers `team/app` and `team/a/b`), `?` one character; anything else
 * is literal.
 */

/** A right a user can hold on repositories. */
export type Right = 'pull' | 'push' | 'delete' | 'admin';

/** Every right, weakest first. */
export const RIGHTS: readonly Right[] = ['pull', 'push', 'delete', 'admin'];

/** One `right@pattern` rule. */
export interface Rule {
  right: Right;
  pattern: string;
}

/** Thrown for a rule list that does not parse; the message names the bad part. */
export class RuleSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSyntaxError';
  }
}

const PATTERN_RE = /^[a-z0-9._\-/*?]+$/;

/** Parses `pull@*,push@team/*` (commas or whitespace between rules); `''` is no rights. */
export function parseRules(text: string): Rule[] {
  const out: Rule[] = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const at = part.indexOf('@');
    const right = (at < 0 ? part : part.slice(0, at)) as Right;
    const pattern = at < 0 ? '*' : part.slice(at + 1);
    if (!RIGHTS.includes(right)) throw new RuleSyntaxError(`unknown right "${right}" in "${part}" (use ${RIGHTS.join(', ')})`);
    if (!PATTERN_RE.test(pattern)) throw new RuleSyntaxError(`invalid repository pattern "${pattern}" in "${part}"`);
    out.push({ right, pattern });
  }
  return out;
}

/** Formats rules back to their text form. */
export function formatRules(rules: readonly Rule[]): string {
  return rules.map((r) => `${r.right}@${r.pattern}`).join(',');
}

const compiled = new Map<string, RegExp>();

/** True when the glob pattern matches the whole repository name. */
export function matchesPattern(pattern: string, repo: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(repo);
}

/**
 * The SQLite GLOB pattern that matches exactly the names {@link matchesPattern} matches: `*` (any
 * run, `/` included) and `?` (one character) mean the same in both, and every other character is
 * literal. GLOB's only other metacharacters, `[` and `]`, are put in brackets of their own (`[[]`,
 * `[]]`), so a pattern holding them can never become a character class that widens it. GLOB, like
 * the pattern, is case-sensitive and anchored at both ends.
 */
export function globOfPattern(pattern: string): string {
  return pattern.replace(/[[\]]/g, (c) => `[${c}]`);
}

/** Rights that a held right grants (push and delete include pull; admin includes everything). */
export function impliedRights(right: Right): readonly Right[] {
  switch (right) {
    case 'admin':
      return RIGHTS;
    case 'push':
      return ['pull', 'push'];
    case 'delete':
      return ['pull', 'delete'];
    default:
      return ['pull'];
  }
}

/** True when the rules grant `right` on `repo`. */
export function allows(rules: readonly Rule[], right: Right, repo: string): boolean {
  return rules.some((r) => impliedRights(r.right).includes(right) && matchesPattern(r.pattern, repo));
}

/** True when the rules grant `right` on every repository (a `*` pattern), e.g. for the whole catalog. */
export function allowsEverywhere(rules: readonly Rule[], right: Right): boolean {
  return rules.some((r) => impliedRights(r.right).includes(right) && r.pattern === '*');
}
