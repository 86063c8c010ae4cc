/**
 * Rights in the text form the server takes (`pull@*,push@team/*`) and group names, mirrored from
 * src-server/auth/rules.ts and access-doc.ts so the forms can say what is wrong before sending (the
 * server checks again), plus password generation.
 */

/** Every right, weakest first. */
export const RIGHTS = ['pull', 'push', 'delete', 'admin'] as const;

const PATTERN_RE = /^[a-z0-9._\-/*?]+$/;

/** Why a rule list does not parse, or null when it does (`''` is no rights). */
export function rulesProblem(text: string): string | null {
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const at = part.indexOf('@');
    const right = at < 0 ? part : part.slice(0, at);
    const pattern = at < 0 ? '*' : part.slice(at + 1);
    if (!(RIGHTS as readonly string[]).includes(right)) return `unknown right "${right}" in "${part}" (use ${RIGHTS.join(', ')})`;
    if (!PATTERN_RE.test(pattern)) return `invalid repository pattern "${pattern}" in "${part}" (lower-case names, / and the wildcards * and ?)`;
  }
  return null;
}

const GROUP_NAME_RE = /^[a-z][a-z0-9._-]{0,63}$/;

/** Why a group name cannot be used, or null when it can. */
export function groupNameProblem(name: string): string | null {
  if (!GROUP_NAME_RE.test(name)) return "1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter";
  if (name === 'anonymous') return '"anonymous" is reserved for callers who do not log in';
  return null;
}

/** Examples offered as chips that fill the field. */
export const RULE_EXAMPLES: ReadonlyArray<{ rules: string; label: string }> = [
  { rules: 'pull@*', label: 'read everything' },
  { rules: 'push@*', label: 'push and pull everywhere' },
  { rules: 'pull@*,push@team/*', label: 'read all, push under team/' },
  { rules: 'push@ci/*,delete@ci/*', label: 'manage ci/' },
  { rules: 'admin@*', label: 'everything, users included' },
  { rules: '', label: 'no rights' },
];

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password (20 characters, about 117 bits) from the browser's CSPRNG. */
export function generatePassword(length = 20): string {
  const bytes = new Uint32Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
}
