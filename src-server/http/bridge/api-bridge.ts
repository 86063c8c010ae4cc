/**
 * The HTTP bridge of the GUI, `/_berth/api` on `berth serve --ui`: the same handler table as
 * Electron's IPC, behind a login. Only with `--ui`; without it every `/_berth` path is 404.
 *
 *   POST   /_berth/api/session          {username,password} (or {token} with --auth none)
 *                                        → sets the berth_session cookie, answers {user,csrfToken,admin,mayPush}
 *   GET    /_berth/api/session          → the same, or 401 (mayPush: may push somewhere)
 *   DELETE /_berth/api/session          → logout (its event streams end)
 *   POST   /_berth/api/invoke/<channel> body: the channel's JSON payload, header X-Berth-CSRF
 *                                        → the envelope {ok,result} | {ok:false,error}, with
 *                                          `Server-Timing: core;dur=MS` (the handler's time, apart from transfer)
 *   GET    /_berth/api/events?csrf=T    → Server-Sent Events of this session's calls, and status changes
 *   GET    /_berth/api/contents/download?connection=&repository=&reference=&platform=&path=&csrf=T
 *                                        → a file of an image, or a folder as a tar (contents-download.ts)
 *   GET    /_berth/api/archive/export?…, POST /_berth/api/archive/import?…  → archive-routes.ts
 *
 * Every user who can log in and holds some right may log in. An administrator (`admin@*`) may call
 * every channel; anyone else only what api/caller-access.ts allows with their rights (browsing the
 * local registry where they may pull, deleting and copying where they may delete and push), checked
 * on every call against the rules in force. A session lasts while its user is in the htpasswd file
 * with the password it logged in with and holds what it logged in with (`admin@*` for an
 * administrator's session, any right otherwise): every request re-checks (the files are re-read on
 * change, within a second), and removing a user, setting a password or taking rights away through
 * the bridge ends those sessions at once (the caller's own session survives changing its own
 * password). An invoke has no socket idle timeout
 * once its body is read: the answer comes when the handler finishes (an image copy, a collection
 * may take hours) while progress goes over the event stream.
 *
 * Refusals come as the envelope too: 401 UNAUTHORIZED (no or expired session), 403 CSRF (cross-site:
 * another Origin, Sec-Fetch-Site cross-site, a missing or wrong token, a body not declared JSON),
 * 413 (a body over 1 MiB), 400 ARGS_INVALID (a body that is not JSON), 429 TOOMANYREQUESTS (login
 * failures). A handler's own failure is HTTP 200 with `ok:false`, as over IPC.
 */
import type { Context } from 'koa';
import type { ApiError, TransferProgress } from '../../contract';
import type { CallerScope } from '../../api/caller-access';
import { dispatch, type CoreHandlers, type Emit } from '../../api/handlers';
import type { AuditSink } from '../../audit/audit-log';
import type { AccessFile } from '../../auth/access-file';
import { checkLogin } from '../../auth/login-check';
import type { PasswordVerifier } from '../../auth/password-verifier';
import { allowsEverywhere } from '../../auth/rules';
import type { Throttle } from '../../auth/throttle';
import { RegistryError } from '../../core/errors';
import type { Logger } from '../../logger';
import type { ContentsDownloader } from '../../api/contents';
import { serveContentsDownload } from './contents-download';
import { mayPushSomewhere, serveArchiveExport, serveArchiveImport, type ArchiveRouteDeps } from './archive-routes';
import { CSRF_HEADER, crossSiteReason, csrfTokenProblem, isJsonRequest } from './csrf';
import { EventHub } from './events';
import { sameSecret, SESSION_COOKIE, SessionStore, type BridgeSession } from './sessions';

/** The bridge's path prefix. */
export const BRIDGE_PREFIX = '/_berth/api';

/** Largest request body the bridge reads. */
export const MAX_BRIDGE_BODY = 1024 * 1024;

/** How the bridge checks a login. */
export type BridgeLogin =
  /** Users of the htpasswd file who hold `admin@*` (every user while there is no access file). */
  | { mode: 'password'; verifier: PasswordVerifier; access: AccessFile; throttle: Throttle }
  /** `--auth none`: the secret printed on stdout at start. */
  | { mode: 'token'; token: string; throttle: Throttle };

/** What the bridge needs. */
export interface ApiBridgeDeps {
  handlers: CoreHandlers;
  login: BridgeLogin;
  log: Logger;
  /** Defaults: a new store (12 h idle, 7 days absolute) and a new hub. */
  sessions?: SessionStore;
  events?: EventHub;
  /** Where changes made through the GUI are recorded, as the session's user and address. */
  audit?: AuditSink;
  /** Streams a file or folder of an image (the app core's); without it the download path answers UNSUPPORTED. */
  download?: ContentsDownloader;
  /** Exports and imports archives for the browser (download and upload); without it those paths answer UNSUPPORTED. */
  archives?: Omit<ArchiveRouteDeps, 'log' | 'audit'>;
}

/** A running bridge. */
export interface ApiBridge {
  /** Answers a request whose path is under `/_berth`. */
  handle(ctx: Context): Promise<void>;
  /** The event streams: the local control broadcasts status changes through it. */
  events: EventHub;
  sessions: SessionStore;
  /** Ends every event stream and the timers (server shutdown). */
  close(): void;
}

/** The session cookie's lifetime in the browser: the sessions' absolute limit. */
const COOKIE_MAX_AGE_S = 7 * 24 * 3600;

class BodyTooLarge extends Error {}

/** Reads the request body up to `limit` bytes (a larger one throws BodyTooLarge). */
async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function reply(ctx: Context, status: number, body: unknown, headers: Record<string, string> = {}): void {
  ctx.status = status;
  for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(body);
}

function refuse(ctx: Context, status: number, error: ApiError, headers?: Record<string, string>): void {
  reply(ctx, status, { ok: false, error }, headers);
}

function setCookie(ctx: Context, value: string, maxAge: number): void {
  // Written by hand for exact flags; Secure only over HTTPS, or the browser would drop it on http://.
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`];
  if (ctx.secure) parts.push('Secure');
  ctx.set('Set-Cookie', parts.join('; '));
}

/** Builds the bridge. */
export function createApiBridge(deps: ApiBridgeDeps): ApiBridge {
  const events = deps.events ?? new EventHub();
  const sessions =
    deps.sessions ?? new SessionStore({ onEnd: (s) => events.closeSession(s.id) });
  const sweep = setInterval(() => sessions.sweep(), 10 * 60_000);
  sweep.unref();
  const { log, login } = deps;

  /** Whether a user holds `admin@*` (everyone while there is no access file). */
  const mayAdminister = (access: AccessFile, user: string): boolean => allowsEverywhere(access.rulesFor(user), 'admin');
  /** Whether a session's user still holds what it logged in with: admin@* for an administrator's, any right otherwise. */
  const holdsRole = (access: AccessFile, user: string, admin: boolean | undefined): boolean =>
    admin ? mayAdminister(access, user) : access.rulesFor(user).length > 0;

  /** The request's live session; one whose user was removed, has a new password or lost its role ends here. */
  const sessionOf = (ctx: Context): BridgeSession | undefined => {
    const session = sessions.get(ctx.cookies.get(SESSION_COOKIE));
    if (!session || login.mode !== 'password') return session;
    let stamp = login.verifier.credentialStamp(session.user);
    // The file may have changed within the second its re-read waits for: look again before ending.
    if (stamp !== session.stamp) stamp = login.verifier.credentialStamp(session.user, true);
    if (stamp !== null && stamp === session.stamp && holdsRole(login.access, session.user, session.admin)) return session;
    const ended = sessions.endUser(session.user);
    log.info(`ui: ${session.user} was removed, has a new password or lost the rights it logged in with: ${ended} session(s) ended`);
    return undefined;
  };

  /** Who a session's calls come from, for the handlers' rights checks (none: every right, --auth none). */
  const scopeOf = (session: BridgeSession): CallerScope | undefined =>
    login.mode === 'password' ? { user: session.user, rules: login.access.rulesFor(session.user) } : undefined;

  /**
   * After a user or group change made through the bridge: a removed user, one whose password
   * changed, and anyone who lost what their sessions logged in with (admin@*, or every right) is
   * logged out everywhere at once (a stolen session dies with the password change), without waiting
   * for the files' re-read. The caller keeps the session it changed its own password from.
   */
  const afterUserChange = (channel: string, args: unknown, result: unknown, caller: BridgeSession): void => {
    if (login.mode !== 'password') return;
    const name = (args as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string') return;
    let affected: string[];
    // Which of an affected user's sessions go on.
    let keeps: (s: BridgeSession) => boolean;
    if (channel === 'users:set-password') {
      if (name === caller.user) caller.stamp = login.verifier.credentialStamp(name, true);
      affected = [name];
      // The caller's own session carries on under the new password.
      keeps = (s) => s.id === caller.id;
    } else if (channel === 'users:remove') {
      affected = [name];
      keeps = () => false;
    } else if (channel === 'users:set-rights' || channel === 'users:set-groups' || channel === 'groups:set-access' || channel === 'groups:remove') {
      const members = (result as { members?: unknown } | undefined)?.members;
      affected = channel.startsWith('users:') ? [name] : Array.isArray(members) ? members.filter((m): m is string => typeof m === 'string') : [];
      // The handler had the files re-read: the rules in force now, groups included, decide.
      keeps = (s) => holdsRole(login.access, s.user, s.admin);
    } else return;
    for (const user of affected) {
      const ended = sessions.endUserWhere(user, (s) => !keeps(s));
      if (ended) log.info(`ui: ${channel} ${name}: ${ended} session(s) of ${user} ended`);
    }
  };
  /** What the GUI learns of its session: mayPush offers importing an archive (the server checks each image again). */
  const sessionAnswer = (s: BridgeSession) => ({ user: s.user, csrfToken: s.csrfToken, admin: s.admin === true, mayPush: s.admin === true || (login.mode === 'password' && mayPushSomewhere(login.access.rulesFor(s.user))) });
  const unauthorized = (ctx: Context) =>
    refuse(ctx, 401, { code: 'UNAUTHORIZED', message: 'log in first (POST /_berth/api/session), or the session expired' });
  const csrf = (ctx: Context, message: string) => refuse(ctx, 403, { code: 'CSRF', message });

  /** Reads and parses a JSON body; answers and returns `undefined` on failure. */
  async function jsonBody(ctx: Context): Promise<{ value: unknown } | undefined> {
    let raw: Buffer;
    try {
      raw = await readBody(ctx, MAX_BRIDGE_BODY);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      refuse(ctx, 413, { code: 'ARGS_INVALID', message: `the request body is larger than ${MAX_BRIDGE_BODY} bytes` }, { Connection: 'close' });
      return undefined;
    }
    if (raw.length === 0) return { value: undefined };
    try {
      return { value: JSON.parse(raw.toString('utf8')) };
    } catch {
      refuse(ctx, 400, { code: 'ARGS_INVALID', message: 'the request body is not valid JSON' });
      return undefined;
    }
  }

  async function logIn(ctx: Context): Promise<void> {
    const why = crossSiteReason(ctx) ?? (isJsonRequest(ctx) ? null : 'the body must be application/json');
    if (why) return csrf(ctx, why);
    const body = await jsonBody(ctx);
    if (!body) return;
    const o = (body.value ?? {}) as Record<string, unknown>;
    const ip = ctx.ip;
    let user: string;
    try {
      if (login.mode === 'token') {
        if (typeof o.token !== 'string') return refuse(ctx, 400, { code: 'ARGS_INVALID', message: 'token must be a string (auth is off: use the link printed at start)' });
        login.throttle.check(ip);
        if (!sameSecret(o.token, login.token)) {
          login.throttle.fail(ip);
          return refuse(ctx, 401, { code: 'UNAUTHORIZED', message: 'wrong login token (see the link berth serve printed at start)' });
        }
        user = 'local';
      } else {
        if (typeof o.username !== 'string' || typeof o.password !== 'string') {
          return refuse(ctx, 400, { code: 'ARGS_INVALID', message: 'username and password must be strings' });
        }
        // Throttled, queued and logged as /v2 logins are; unknown users pay a bcrypt compare too.
        if (!(await checkLogin({ ...login, log, audit: deps.audit, via: 'gui' }, ip, { user: o.username, password: o.password }))) {
          return refuse(ctx, 401, { code: 'UNAUTHORIZED', message: 'wrong user name or password' });
        }
        if (login.access.rulesFor(o.username).length === 0) {
          return refuse(ctx, 403, {
            code: 'DENIED',
            message: `${o.username} has no rights in this registry yet: an administrator can give some (berth user access ${o.username} 'pull@*')`,
          });
        }
        user = o.username;
      }
    } catch (err) {
      if (err instanceof RegistryError && err.code === 'TOOMANYREQUESTS') {
        return refuse(ctx, 429, { code: err.code, message: err.message, detail: err.detail }, err.headers);
      }
      throw err;
    }
    const { session, cookie } = sessions.create(user);
    session.admin = login.mode === 'token' || mayAdminister(login.access, user);
    if (login.mode === 'password') session.stamp = login.verifier.credentialStamp(user);
    setCookie(ctx, cookie, COOKIE_MAX_AGE_S);
    log.info(`ui: ${user} logged in from ${ip}${session.admin ? '' : ' (without admin@*)'}`);
    reply(ctx, 200, sessionAnswer(session));
  }

  async function sessionRoute(ctx: Context): Promise<void> {
    if (ctx.method === 'POST') return logIn(ctx);
    const why = crossSiteReason(ctx);
    if (why) return csrf(ctx, why);
    const session = sessionOf(ctx);
    if (ctx.method === 'GET') {
      if (!session) return unauthorized(ctx);
      return reply(ctx, 200, sessionAnswer(session));
    }
    if (ctx.method === 'DELETE') {
      if (session) {
        const bad = csrfTokenProblem(ctx.get(CSRF_HEADER) || undefined, session.csrfToken);
        if (bad) return csrf(ctx, bad);
        sessions.endCookie(ctx.cookies.get(SESSION_COOKIE));
      }
      setCookie(ctx, '', 0);
      return reply(ctx, 200, { ok: true });
    }
    refuse(ctx, 405, { code: 'UNSUPPORTED', message: `${ctx.method} is not allowed here (GET, POST, DELETE)` }, { Allow: 'GET, POST, DELETE' });
  }

  async function invoke(ctx: Context, channel: string): Promise<void> {
    if (ctx.method !== 'POST') return refuse(ctx, 405, { code: 'UNSUPPORTED', message: 'invoke a channel with POST' }, { Allow: 'POST' });
    const session = sessionOf(ctx);
    if (!session) return unauthorized(ctx);
    const why =
      crossSiteReason(ctx) ??
      (isJsonRequest(ctx) ? null : 'the body must be application/json') ??
      csrfTokenProblem(ctx.get(CSRF_HEADER) || undefined, session.csrfToken);
    if (why) return csrf(ctx, why);
    const body = await jsonBody(ctx);
    if (!body) return;
    // It writes where its caller says: the desktop's main process, after a save dialog; never a web page.
    if (channel === 'contents:save') {
      return reply(ctx, 200, { ok: false, error: { code: 'UNSUPPORTED', message: 'contents:save is for the desktop window; a browser downloads with GET /_berth/api/contents/download' } });
    }
    // The answer comes only when the handler ends (a large copy, a long collection): no idle cut-off
    // from here on. The body is read, so a stalled client can no longer hold the socket; after the
    // response a keep-alive socket gets the server's keep-alive timeout, then its timeout back.
    ctx.req.socket.setTimeout(0);
    const emit: Emit = (event, payload) => events.send(session.id, event, payload);
    const audit = deps.audit && { sink: deps.audit, actor: { user: session.user, address: ctx.ip, via: 'gui' as const } };
    const started = performance.now();
    const envelope = await dispatch(deps.handlers, channel, body.value, emit, log, { audit, scope: scopeOf(session) });
    // How long the core took, apart from the answer's transfer (the browser's devtools show it).
    const took = performance.now() - started;
    if (envelope.ok) afterUserChange(channel, body.value, envelope.result, session);
    const status = envelope.ok ? 200 : envelope.error.code === 'CHANNEL_UNKNOWN' ? 404 : envelope.error.code === 'ARGS_INVALID' ? 400 : 200;
    reply(ctx, status, envelope, { 'Server-Timing': `core;dur=${took.toFixed(1)}` });
  }

  function eventStream(ctx: Context): void {
    if (ctx.method !== 'GET') return refuse(ctx, 405, { code: 'UNSUPPORTED', message: 'open the event stream with GET' }, { Allow: 'GET' });
    const token = typeof ctx.query.csrf === 'string' ? ctx.query.csrf : undefined;
    // The token is a secret: keep it out of the access log, which prints ctx.url after the response.
    ctx.url = `${ctx.path}${token ? '?csrf=REDACTED' : ''}`;
    const session = sessionOf(ctx);
    if (!session) return unauthorized(ctx);
    const why = crossSiteReason(ctx) ?? csrfTokenProblem(token, session.csrfToken);
    if (why) return csrf(ctx, why);
    ctx.status = 200;
    ctx.respond = false;
    events.open(ctx.res, session.id);
  }

  /** The session of a download link or an upload, its CSRF token in the query (as for events) or the header; undefined once refused. */
  function queryTokenSession(ctx: Context): BridgeSession | undefined {
    const token = typeof ctx.query.csrf === 'string' ? ctx.query.csrf : ctx.get(CSRF_HEADER) || undefined;
    // The token is a secret: keep it out of the access log, which prints ctx.url after the response.
    const query = new URLSearchParams(ctx.querystring);
    if (query.has('csrf')) query.set('csrf', 'REDACTED');
    ctx.querystring = query.toString();
    const session = sessionOf(ctx);
    if (!session) return void unauthorized(ctx);
    const why = crossSiteReason(ctx) ?? csrfTokenProblem(token, session.csrfToken);
    if (why) return void csrf(ctx, why);
    return session;
  }

  async function contentsDownload(ctx: Context): Promise<void> {
    const session = queryTokenSession(ctx);
    if (!session) return;
    if (!deps.download) return refuse(ctx, 404, { code: 'UNSUPPORTED', message: 'image contents are not served by this process' });
    await serveContentsDownload(ctx, deps.download, scopeOf(session), log);
  }

  /** An archive's download (GET) or upload (POST); progress goes to the session's event stream. */
  async function archiveRoute(ctx: Context, which: 'export' | 'import'): Promise<void> {
    const session = queryTokenSession(ctx);
    if (!session) return;
    if (!deps.archives) return refuse(ctx, 404, { code: 'UNSUPPORTED', message: 'archives are not served by this process' });
    const progress = (p: TransferProgress) => events.send(session.id, 'transfer:progress', p);
    const caller = { scope: scopeOf(session), progress, actor: { user: session.user, address: ctx.ip, via: 'gui' as const } };
    await (which === 'export' ? serveArchiveExport : serveArchiveImport)(ctx, { ...deps.archives, log, audit: deps.audit }, caller);
  }

  async function handle(ctx: Context): Promise<void> {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    try {
      const rest = ctx.path.startsWith(`${BRIDGE_PREFIX}/`) ? ctx.path.slice(BRIDGE_PREFIX.length + 1) : null;
      if (rest === 'session') return await sessionRoute(ctx);
      if (rest === 'events') return eventStream(ctx);
      if (rest === 'contents/download') return await contentsDownload(ctx);
      if (rest === 'archive/export') return await archiveRoute(ctx, 'export');
      if (rest === 'archive/import') return await archiveRoute(ctx, 'import');
      if (rest?.startsWith('invoke/')) {
        let channel: string;
        try {
          channel = decodeURIComponent(rest.slice('invoke/'.length));
        } catch {
          return refuse(ctx, 404, { code: 'CHANNEL_UNKNOWN', message: 'malformed channel name' });
        }
        return await invoke(ctx, channel);
      }
      refuse(ctx, 404, { code: 'NOT_FOUND', message: `no such bridge path ${ctx.path}` });
    } catch (err) {
      // Never Koa's text, never a stack: the bridge always answers its envelope.
      log.error(`ui bridge ${ctx.method} ${ctx.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!ctx.headerSent && ctx.respond !== false) refuse(ctx, 500, { code: 'INTERNAL', message: 'internal error (see the server log)' });
    }
  }

  return {
    handle,
    events,
    sessions,
    close() {
      clearInterval(sweep);
      events.close();
    },
  };
}
