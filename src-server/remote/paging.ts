/**
 * `Link` header paging of the Distribution API (RFC 8288): `</v2/_catalog?last=b&n=100>; rel="next"`.
 */

/** The absolute URL of the `rel="next"` link, resolved against the URL that answered; null when none. */
export function nextLink(header: string | null, base: string): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (!m) continue;
    const rel = /(?:^|;)\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2]!)?.[1];
    if (!rel?.split(/\s+/).includes('next')) continue;
    try {
      return new URL(m[1]!, base).toString();
    } catch {
      return null;
    }
  }
  return null;
}

/** The `last` query parameter of a next link: where the following page starts. */
export function lastOf(link: string | null): string | null {
  if (!link) return null;
  return new URL(link).searchParams.get('last');
}
