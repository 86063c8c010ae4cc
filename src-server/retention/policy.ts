/**
 * What a retention policy means, checked once for retention.yml and the API alike: names, the
 * repository glob, counts, durations and keep patterns. A policy that keeps nothing is refused
 * unless confirmed (`force`); a policy with no keep option at all keeps every tag (it exists for
 * `untagged`).
 */
import type { RetentionPolicy } from '../contract';
import { parseRules, RuleSyntaxError } from '../auth/rules';
import { parseLongDuration } from '../core/long-duration';

/** A policy as retention.yml stores it: the contract's, plus the confirmation of one that keeps nothing. */
export interface StoredPolicy extends RetentionPolicy {
  /** Set when a policy that keeps nothing was confirmed (`--force`). */
  force?: boolean;
}

/** A checked policy, ready to evaluate. */
export interface CompiledPolicy {
  name: string;
  repos: string;
  keepLast: number | null;
  /** Milliseconds, or null. */
  keepNewerMs: number | null;
  keepTags: string[];
  untagged: boolean;
  /** True when the policy has no keep option: it keeps every tag. */
  keepsAll: boolean;
}

/** Why a policy is refused; `keepsNothing` when only the confirmation is missing. */
export class PolicyError extends Error {
  constructor(
    message: string,
    readonly keepsNothing = false,
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** Policy names: a letter or digit, then letters, digits, `.`, `_`, `-`; at most 64 characters. */
export const POLICY_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Longest keep pattern. */
export const MAX_PATTERN_LENGTH = 256;
/** Most keep patterns per policy. */
export const MAX_PATTERNS = 32;
/** The largest keep-last. */
export const MAX_KEEP_LAST = 1_000_000;
/** Longest repository glob. */
const MAX_GLOB_LENGTH = 255;

/** Checks the name of a policy. */
export function checkPolicyName(name: unknown): string {
  if (typeof name !== 'string' || !POLICY_NAME_RE.test(name)) {
    throw new PolicyError(`invalid policy name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)`);
  }
  return name;
}

/** Checks one pattern of keep-tags: a JavaScript regular expression of at most 256 characters. */
export function checkKeepPattern(where: string, pattern: unknown): string {
  if (typeof pattern !== 'string') throw new PolicyError(`${where}: keep-tags: each pattern must be a string`);
  if (pattern.length === 0) throw new PolicyError(`${where}: keep-tags: a pattern cannot be empty`);
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PolicyError(`${where}: keep-tags: a pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  try {
    new RegExp(pattern);
  } catch (err) {
    throw new PolicyError(`${where}: keep-tags: ${JSON.stringify(pattern)} is not a valid regular expression (${(err as Error).message})`);
  }
  return pattern;
}

/**
 * Checks a policy and compiles it. Throws {@link PolicyError} naming the policy and the key; one
 * that keeps nothing (`keep-last 0` and no other keep, or `keep-newer-than 0` alone) is refused
 * (`keepsNothing`) unless `force` or the policy's own `force`.
 */
export function compilePolicy(p: StoredPolicy, force = false): CompiledPolicy {
  const name = checkPolicyName(p.name);
  const where = `policy ${name}`;
  if (typeof p.repos !== 'string' || p.repos.length === 0) throw new PolicyError(`${where}: repos: give a repository glob such as "team/*"`);
  checkGlob(where, p.repos);
  let keepLast: number | null = null;
  if (p.keepLast !== undefined && p.keepLast !== null) {
    if (!Number.isInteger(p.keepLast) || p.keepLast < 0 || p.keepLast > MAX_KEEP_LAST) {
      throw new PolicyError(`${where}: keep-last: ${JSON.stringify(p.keepLast)} is not a whole number from 0 to ${MAX_KEEP_LAST}`);
    }
    keepLast = p.keepLast;
  }
  let keepNewerMs: number | null = null;
  if (p.keepNewerThan !== undefined && p.keepNewerThan !== null) {
    const ms = typeof p.keepNewerThan === 'string' ? parseLongDuration(p.keepNewerThan) : null;
    if (ms === null) {
      throw new PolicyError(`${where}: keep-newer-than: ${JSON.stringify(p.keepNewerThan)} is not a duration (e.g. 12h, 30d, 2w, 1d12h; at most 100 years)`);
    }
    keepNewerMs = ms;
  }
  const rawTags: unknown = p.keepTags ?? [];
  if (!Array.isArray(rawTags)) throw new PolicyError(`${where}: keep-tags: give a list of regular expressions`);
  if (rawTags.length > MAX_PATTERNS) throw new PolicyError(`${where}: keep-tags: at most ${MAX_PATTERNS} patterns`);
  const keepTags = rawTags.map((t) => checkKeepPattern(where, t));
  if (p.untagged !== undefined && typeof p.untagged !== 'boolean') throw new PolicyError(`${where}: untagged: must be true or false`);
  const keepsAll = keepLast === null && keepNewerMs === null && keepTags.length === 0;
  const keepsNothing = !keepsAll && (keepLast ?? 0) === 0 && (keepNewerMs ?? 0) === 0 && keepTags.length === 0;
  if (keepsNothing && !force && p.force !== true) {
    throw new PolicyError(`${where} would delete every tag of the repositories it matches (${p.repos}): confirm with --force, or add a keep option`, true);
  }
  return { name, repos: p.repos, keepLast, keepNewerMs, keepTags, untagged: p.untagged === true, keepsAll };
}

/** A repository glob as access rules write them: lowercase names, `/`, `.`, `_`, `-`, `*`, `?`. */
function checkGlob(where: string, glob: string): void {
  const bad = glob.length > MAX_GLOB_LENGTH || /[\s,@]/.test(glob);
  let rules: ReturnType<typeof parseRules> = [];
  if (!bad) {
    try {
      rules = parseRules(`pull@${glob}`);
    } catch (err) {
      if (!(err instanceof RuleSyntaxError)) throw err;
    }
  }
  if (bad || rules.length !== 1) {
    throw new PolicyError(`${where}: repos: ${JSON.stringify(glob)} is not a repository glob (lowercase letters, digits, '.', '_', '-', '/', with '*' for any characters and '?' for one)`);
  }
}
