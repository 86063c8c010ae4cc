/**
 * Sends one request to a remote registry the way its client needs: with the credentials known for
 * the scope, answering a 401 challenge once, never sending credentials to another origin, and
 * turning refusals (401, 403), rate limits (429) and server failures (5xx) into RemoteErrors.
 */
import type { Dispatcher } from 'undici';
import type { RemoteAuth } from './auth';
import { RemoteAuthError, RemoteRateLimitError, RemoteUnavailableError } from './errors';
import { send, type RemoteMethod, type RemoteResponse, type TransportTimeouts } from './transport';

/** Authorized requests to one registry (its base URL, origin, credentials, timeouts and trust). */
export class AuthorizedSender {
  constructor(
    /** The registry's base URL without a trailing slash. */
    private readonly url: string,
    /** The registry's origin: the only one that gets its credentials and its connection pool. */
    private readonly origin: string,
    private readonly auth: RemoteAuth,
    private readonly timeouts: TransportTimeouts,
    private readonly dispatcher: Dispatcher | undefined,
  ) {}

  /**
   * Sends a request (a path under the base URL, or an absolute URL such as an upload's Location)
   * with the Authorization known for `scope`; on a 401 answers the challenge and sends once more
   * (not possible with a streamed body: the challenge is known by then from the request before).
   * A second refusal is a RemoteAuthError.
   *
   * An absolute URL on another origin (a `Link` the registry sent) goes without credentials and
   * under the system's trust: the registry's password or token must never reach a host it names.
   */
  async request(
    method: RemoteMethod,
    path: string,
    scope: string,
    headers: Record<string, string>,
    body?: Buffer | AsyncIterable<Buffer>,
    signal?: AbortSignal,
  ): Promise<RemoteResponse> {
    const url = /^https?:\/\//.test(path) ? path : this.url + path;
    if (new URL(url).origin !== this.origin) return this.checkRefusal(await send({ method, url, headers, body, signal }, this.timeouts));
    const dispatcher = this.dispatcher;
    const first = await this.auth.headerFor(scope);
    let res = await send({ method, url, headers: first ? { ...headers, authorization: first } : headers, body, dispatcher, signal }, this.timeouts);
    if (res.status !== 401 || (body !== undefined && !Buffer.isBuffer(body))) return this.checkRefusal(res);
    const challenge = res.headers.get('www-authenticate');
    await res.discard();
    const answer = await this.auth.answer(challenge, scope, this.url);
    // The very credentials just refused: sending them again would only count a second failed login.
    if (answer === first) return this.checkRefusal(res);
    res = await send({ method, url, headers: { ...headers, authorization: answer }, body, dispatcher, signal }, this.timeouts);
    return this.checkRefusal(res);
  }

  private async checkRefusal(res: RemoteResponse): Promise<RemoteResponse> {
    if (res.status === 401 || res.status === 403) {
      await res.discard();
      const creds = this.auth.hasCredentials;
      const msg =
        res.status === 403
          ? `${this.url} denied access${creds ? ' to the configured user' : ''}`
          : creds
            ? `${this.url} refused the credentials`
            : `${this.url} requires a user name and password`;
      throw new RemoteAuthError(msg, this.url, res.status, creds);
    }
    if (res.status === 429) {
      await res.discard();
      throw new RemoteRateLimitError(`${this.url} asks to slow down (429)`, this.url, res.headers.get('retry-after'));
    }
    if (res.status >= 500) {
      await res.discard();
      throw new RemoteUnavailableError(`${this.url} answered ${res.status}`, this.url, res.status);
    }
    return res;
  }
}
