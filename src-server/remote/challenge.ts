/**
 * `WWW-Authenticate` parsing (RFC 9110 11.6.1): one or more challenges, each a scheme followed by
 * `key=value` parameters (quoted or bare), e.g. `Bearer realm="https://auth/token",service="reg",
 * scope="repository:a/b:pull"`, or `Basic realm="Registry"`.
 */

/** One authentication challenge; parameter names are lower-cased. */
export interface Challenge {
  /** The scheme, lower-cased: `basic`, `bearer`, ... */
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const QUOTED = /"((?:[^"\\]|\\.)*)"/y;
const SPACES = /[ \t]*/y;
/** Bare values should be tokens; some servers send URLs unquoted, so anything up to a comma is taken. */
const BARE = /[^\s,]+/y;

/** Parses a `WWW-Authenticate` header into its challenges; [] for an absent or unreadable header. */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  let pos = 0;
  const match = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = pos;
    const m = re.exec(header);
    if (m) pos = re.lastIndex;
    return m;
  };
  const skip = () => match(SPACES);
  while (pos < header.length) {
    skip();
    if (header[pos] === ',') {
      pos++;
      continue;
    }
    const scheme = match(TOKEN);
    if (!scheme) break;
    const challenge: Challenge = { scheme: scheme[0].toLowerCase(), params: {} };
    out.push(challenge);
    // Parameters until the next bare token that is not followed by `=` (the next scheme).
    for (;;) {
      skip();
      const save = pos;
      if (header[pos] === ',') pos++;
      skip();
      const name = match(TOKEN);
      skip();
      if (!name || header[pos] !== '=') {
        pos = save;
        break;
      }
      pos++;
      skip();
      const quoted = match(QUOTED);
      const value = quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : (match(BARE)?.[0] ?? '');
      challenge.params[name[0].toLowerCase()] = value;
    }
    // Anything unreadable ends the header rather than guessing.
    skip();
    if (pos < header.length && header[pos] !== ',') break;
  }
  return out;
}
