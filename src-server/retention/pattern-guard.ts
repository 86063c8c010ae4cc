/**
 * Keep patterns come from users, and a regular expression can take exponential time on a short tag
 * (`^(a+)+$` against `aaaa…!`). They are run here inside a separate V8 context with a time bound:
 * a pattern that runs out of time fails the whole evaluation (and so a run deletes nothing), with
 * the policy and the pattern named.
 */
import { createContext, Script } from 'node:vm';
import { RegistryError } from '../core/errors';

/** The time one batch of tests (one policy's patterns over one repository's tags) may take. */
export const PATTERN_BUDGET_MS = 500;

const SCRIPT = new Script(`
  (() => {
    const res = [];
    for (const p of patterns) {
      current = p;
      const re = new RegExp(p);
      res.push(tags.map((t) => re.test(t)));
    }
    return res;
  })()
`);

/** Tests keep patterns against tags under a time bound. */
export interface PatternTester {
  /** For each tag, whether any of `patterns` matches it; throws POLICY_INVALID when one runs out of time. */
  anyMatch(policy: string, patterns: readonly string[], tags: readonly string[]): boolean[];
}

/**
 * How a failed batch is refused: `owner` is what the caller passed as `policy`, `pattern` the one
 * that failed. Default: POLICY_INVALID in retention's words (sync jobs pass their own).
 */
export type PatternRefusal = (owner: string, pattern: string, timedOut: boolean, budgetMs: number, message: string) => Error;

const retentionRefusal: PatternRefusal = (policy, pattern, timedOut, budgetMs, message) =>
  new RegistryError('POLICY_INVALID', {
    message: timedOut
      ? `policy ${policy}: keep-tags pattern ${JSON.stringify(pattern)} took longer than ${budgetMs} ms on the tags of one repository; nothing was deleted (simplify the pattern)`
      : `policy ${policy}: keep-tags pattern ${JSON.stringify(pattern)} failed: ${message}`,
  });

/** A tester whose every batch may take at most `budgetMs`. */
export function createPatternTester(budgetMs = PATTERN_BUDGET_MS, refuse: PatternRefusal = retentionRefusal): PatternTester {
  // One context for every batch: only plain strings are put in it, and the script keeps nothing.
  const sandbox: { patterns: string[]; tags: string[]; current: string } = { patterns: [], tags: [], current: '' };
  const ctx = createContext(sandbox);
  return {
    anyMatch(policy, patterns, tags) {
      const out = tags.map(() => false);
      if (patterns.length === 0 || tags.length === 0) return out;
      sandbox.patterns = [...patterns];
      sandbox.tags = [...tags];
      sandbox.current = '';
      let rows: boolean[][];
      try {
        rows = SCRIPT.runInContext(ctx, { timeout: budgetMs }) as boolean[][];
      } catch (err) {
        const message = (err as Error).message;
        throw refuse(policy, sandbox.current, /timed out/i.test(message), budgetMs, message);
      }
      for (const row of rows) row.forEach((m, i) => (out[i] = out[i]! || m === true));
      return out;
    },
  };
}
