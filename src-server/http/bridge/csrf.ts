/**
 * Cross-site request refusal for the `/_berth/api` bridge. The session cookie is SameSite=Strict
 * already; these checks are the second wall, for browsers or setups where that is not enough:
 * a page of another site can neither send our custom header (without a CORS preflight we never
 * grant) nor read the CSRF token it would need.
 */
import type { Context } from 'koa';
import { sameSecret } from './sessions';

/** The request header carrying the session's CSRF token. */
export const CSRF_HEADER = 'x-berth-csrf';

/** The origin this request was addressed to, as a browser would write it in `Origin`. */
export function ownOrigin(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`.toLowerCase();
}

/**
 * Why a request looks cross-site, or null when it does not: `Sec-Fetch-Site: cross-site`, or an
 * `Origin` other than our own. Requests without those headers (curl, old browsers) pass here and
 * still need the CSRF token where one is asked for.
 */
export function crossSiteReason(ctx: Context): string | null {
  if (ctx.get('sec-fetch-site').toLowerCase() === 'cross-site') return 'cross-site request (Sec-Fetch-Site)';
  const origin = ctx.get('origin');
  if (origin && origin.toLowerCase() !== ownOrigin(ctx)) return `request from another origin (${origin})`;
  return null;
}

/** True when the request's body is declared as JSON (a form post cannot declare it without a preflight). */
export function isJsonRequest(ctx: Context): boolean {
  const type = ctx.get('content-type').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

/** Why the CSRF token `given` does not match the session's, or null when it does. */
export function csrfTokenProblem(given: string | undefined, expected: string): string | null {
  if (!given) return `missing ${CSRF_HEADER} header`;
  return sameSecret(given, expected) ? null : `wrong ${CSRF_HEADER} token`;
}
