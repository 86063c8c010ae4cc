/** HTTP Basic helpers shared by the authorizer and the token endpoint. */

/** Splits `Authorization: Basic base64(user:password)`; null when absent or malformed. */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | null {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Quotes a value for an auth-param (`realm="..."`), escaping quotes and backslashes. */
export function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The `WWW-Authenticate` value asking for Basic credentials. */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}`;
}
