/** HTTP Basic helpers shared by the authorizer and the token endpoint. */

/** A user name and password from a client. */
export interface Credentials {
  user: string;
  password: string;
}

/**
 * True for an empty user name with an empty password: podman, skopeo and buildah without
 * credentials send exactly that after a Basic challenge (`Basic Og==`). It means "no credentials",
 * never a failed login of a user called "".
 */
export function isAnonymous(creds: Credentials): boolean {
  return creds.user === '' && creds.password === '';
}

/**
 * Splits `Authorization: Basic base64(user:password)`; null when absent, malformed or empty (see
 * {@link isAnonymous}), so that callers treat all three as anonymous.
 */
export function parseBasicAuthorization(header: string | undefined): Credentials | null {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  const creds = { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
  return isAnonymous(creds) ? null : creds;
}

/** Quotes a value for an auth-param (`realm="..."`), escaping quotes and backslashes. */
export function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The `WWW-Authenticate` value asking for Basic credentials. */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}`;
}
