/**
 * The HTTP side of the bridge, for the GUI in a browser against `berth serve --ui`: an admin
 * session (cookie set by the server, CSRF token kept in memory), invokes as JSON POSTs, and events
 * from one EventSource. Answers the same envelopes as Electron's preload.
 */
import type { ApiError, ArchiveImportReport, BerthBridge, ContentsPathArgs, Envelope, EventChannel, EventChannelMap, InvokeChannel } from '../../../src-server/contract';
import { EVENT_CHANNELS } from '../../../src-server/contract';
import { ApiCallError, type ArchiveDownload, type ArchiveUpload } from './app-api';

/** A logged-in session. */
export interface HttpSession {
  user: string;
  csrfToken: string;
  /** Whether the user holds `admin@*` (a `--auth none` link does too): the GUI shows every screen. */
  admin: boolean;
  /** Whether the user may push to some repository: the GUI then offers importing an archive. */
  mayPush?: boolean;
}

/** What a login sends: a user's password, or the token `--auth none` printed. */
export type LoginBody = { username: string; password: string } | { token: string };

const PREFIX = '/_berth/api';

/** The browser's bridge to `/_berth/api`. */
export class HttpBridge implements BerthBridge {
  private csrf: string | null = null;
  private source: EventSource | null = null;
  private readonly listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  /** Called when the server says the session is gone (expired, logged out elsewhere). */
  onUnauthorized: () => void = () => {};

  constructor(private readonly base = '') {}

  /** The current session, or null when logged out. */
  async session(): Promise<HttpSession | null> {
    const res = await this.send(`${PREFIX}/session`, { credentials: 'same-origin' });
    if (res.status === 401) return null;
    const body = await res.json();
    if (!res.ok) throw new ApiCallError('session', body.error ?? { code: 'INTERNAL', message: `status ${res.status}` });
    this.started(body as HttpSession);
    return body as HttpSession;
  }

  /** Logs in; rejects with ApiCallError (UNAUTHORIZED, DENIED, TOOMANYREQUESTS...). */
  async login(body: LoginBody): Promise<HttpSession> {
    const res = await this.send(`${PREFIX}/session`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiCallError('session', (json as { error?: ApiError }).error ?? { code: 'INTERNAL', message: `status ${res.status}` });
    this.started(json as HttpSession);
    return json as HttpSession;
  }

  /** Ends the session on the server (it checks the CSRF token like any call); rejects when it could not. */
  async logout(): Promise<void> {
    const res = await this.send(`${PREFIX}/session`, { method: 'DELETE', credentials: 'same-origin', headers: { 'x-berth-csrf': this.csrf ?? '' } });
    // 401: the session had already ended; either way nothing is left to end.
    if (!res.ok && res.status !== 401) {
      const body = (await res.json().catch(() => ({}))) as { error?: ApiError };
      throw new ApiCallError('session', body.error ?? { code: 'INTERNAL', message: `logging out answered ${res.status}` });
    }
    this.ended();
  }

  /** Forgets the session here: the token and its event stream (a new login opens a new one). */
  ended(): void {
    this.csrf = null;
    this.source?.close();
    this.source = null;
  }

  /** fetch, with a dead server turned into an OFFLINE error in words. */
  private async send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, init);
    } catch {
      throw new ApiCallError('session', { code: 'OFFLINE', message: 'Berth does not answer: is `berth serve` still running?' });
    }
  }

  async invoke<C extends InvokeChannel>(channel: C, payload: unknown): Promise<Envelope<never>> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${PREFIX}/invoke/${channel}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-berth-csrf': this.csrf ?? '' },
        body: payload === undefined ? '' : JSON.stringify(payload),
      });
    } catch {
      return { ok: false, error: { code: 'OFFLINE', message: 'Berth does not answer: is `berth serve` still running?' } };
    }
    const json = (await res.json().catch(() => null)) as Envelope<never> | null;
    if (res.status === 401) {
      this.ended();
      this.onUnauthorized();
    }
    return json ?? { ok: false, error: { code: 'INTERNAL', message: `the server answered ${res.status}` } };
  }

  on<E extends EventChannel>(channel: E, listener: (payload: EventChannelMap[E]) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener as (payload: unknown) => void);
    return () => set.delete(listener as (payload: unknown) => void);
  }

  /**
   * The address of a file (or a folder, as a tar) of an image, for a download link: the server
   * streams it with the session's cookie, the CSRF token riding in the query as for events.
   */
  contentsDownloadUrl(args: ContentsPathArgs): string {
    const q = new URLSearchParams({ connection: args.connection, repository: args.repository, reference: args.reference, path: args.path });
    if (args.platform) q.set('platform', args.platform);
    q.set('csrf', this.csrf ?? '');
    return `${this.base}${PREFIX}/contents/download?${q.toString()}`;
  }

  /** The address of an export of local images as one archive, for a download link (the token in the query). */
  archiveExportUrl(args: ArchiveDownload): string {
    const q = new URLSearchParams({ format: args.format });
    if (args.platform) q.set('platform', args.platform);
    for (const image of args.images) q.append('image', image);
    if (args.operationId) q.set('operationId', args.operationId);
    q.set('csrf', this.csrf ?? '');
    return `${this.base}${PREFIX}/archive/export?${q.toString()}`;
  }

  /**
   * Sends an archive as the body of one POST, streamed by the browser from the file, and answers
   * the import's report. XMLHttpRequest, because fetch reports no upload progress.
   */
  uploadArchive(file: File, opts: ArchiveUpload): Promise<ArchiveImportReport> {
    const q = new URLSearchParams({ name: file.name });
    if (opts.to) q.set('to', opts.to);
    if (opts.operationId) q.set('operationId', opts.operationId);
    const channel = 'archive:import';
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${this.base}${PREFIX}/archive/import?${q.toString()}`);
      xhr.setRequestHeader('content-type', 'application/x-tar');
      xhr.setRequestHeader('x-berth-csrf', this.csrf ?? '');
      xhr.upload.onprogress = (e) => opts.onSent?.(e.loaded);
      xhr.onload = () => {
        let body: Envelope<ArchiveImportReport> | null = null;
        try {
          body = JSON.parse(xhr.responseText) as Envelope<ArchiveImportReport>;
        } catch {
          body = null;
        }
        if (xhr.status === 401) {
          this.ended();
          this.onUnauthorized();
        }
        if (body?.ok) resolve(body.result);
        else reject(new ApiCallError(channel, body && !body.ok ? body.error : { code: 'INTERNAL', message: `the server answered ${xhr.status}` }));
      };
      xhr.onerror = () => reject(new ApiCallError(channel, { code: 'OFFLINE', message: 'the upload broke off: is `berth serve` still running?' }));
      xhr.onabort = () => reject(new ApiCallError(channel, { code: 'CANCELLED', message: 'the import was cancelled' }));
      opts.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(file);
    });
  }

  private started(session: HttpSession): void {
    // A new session (another login) gets its own stream: the old one carried the old token.
    if (this.source && this.csrf !== session.csrfToken) this.ended();
    this.csrf = session.csrfToken;
    if (this.source || typeof EventSource === 'undefined') return;
    const source = new EventSource(`${this.base}${PREFIX}/events?csrf=${encodeURIComponent(session.csrfToken)}`);
    this.source = source;
    // The server ended the stream for good (session gone): let the next session open a new one.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && this.source === source) this.source = null;
    };
    for (const channel of EVENT_CHANNELS) {
      source.addEventListener(channel, (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data);
        for (const l of this.listeners.get(channel) ?? []) l(data);
      });
    }
  }
}
