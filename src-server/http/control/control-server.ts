/**
 * The control path into a running `berth serve`: a second HTTP listener, on loopback only and an
 * ephemeral port, through which local `berth` commands (gc, repo rm, usage) ask the server to act on
 * the data it owns (its SQLite index and in-memory write gate), instead of editing the folder
 * beside it.
 *
 * Where it listens and its token are in `<data>/berth/control.json` (mode 0600): whoever may read
 * the data directory may control the server, as with docker.sock's permissions.
 *
 *   POST /invoke/<channel>   Authorization: Bearer <token>   body: the channel's JSON payload
 *   200, application/x-ndjson: {"event":"gc:progress","payload":{...}} lines, then the envelope
 *   line {"ok":true,"result":...} or {"ok":false,"error":{code,message,detail}}
 *
 * A wrong or missing token is 401; an unknown channel 404, a body that is not JSON or does not fit
 * the channel 400, both as one envelope line. `GET /read/...` reads the local registry's manifests
 * and blobs (see read-routes.ts), for `berth files|extract|diff`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isInvokeChannel, type ApiError, type Envelope } from '../../contract';
import { isProcessAlive, writeFileAtomic } from '../../core/files';
import type { Logger } from '../../logger';
import { BERTH_DIR } from '../../storage/layout';
import { checkArgs } from '../../api/args';
import { dispatch, type CoreHandlers } from '../../api/handlers';
import { toApiError } from '../../api/errors';
import { actorFromHeader, ACTOR_HEADER, localActor } from '../../audit/actor';
import type { AuditSink } from '../../audit/audit-log';
import { handleReadRoute, isReadRoute, type ReadSource } from './read-routes';

/** What `control.json` holds. */
export interface ControlFile {
  pid: number;
  url: string;
  token: string;
}

/**
 * Largest request body accepted: payloads are a few fields, but a one-off sync carries an
 * image-syncer images file converted to jobs (up to 10,000 entries).
 */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Path of the runtime file naming a running server's control listener. */
export function controlFilePath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'control.json');
}

/** Reads `control.json`; null when missing or not what a server writes. */
export function readControlFile(dataDir: string): ControlFile | null {
  try {
    const v = JSON.parse(readFileSync(controlFilePath(dataDir), 'utf8')) as Partial<ControlFile>;
    if (typeof v.pid === 'number' && typeof v.url === 'string' && typeof v.token === 'string') return { pid: v.pid, url: v.url, token: v.token };
  } catch {
    // Missing, half-read or not JSON: no server to talk to.
  }
  return null;
}

/**
 * Why a server must not start on `dataDir` (another Berth server runs there now: its control.json
 * names a live process whose control listener answers), else null. Two servers on one directory
 * would each keep their own index of it, and one's GC would sweep blobs the other is writing.
 */
export async function otherServerProblem(dataDir: string, timeoutMs = 1500): Promise<string | null> {
  const ctl = readControlFile(dataDir);
  if (!ctl || ctl.pid === process.pid || !isProcessAlive(ctl.pid)) return null;
  try {
    // Any HTTP answer (a 401 without the token) means a server listens; a reused pid does not.
    await fetch(ctl.url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return null;
  }
  return `another Berth server (pid ${ctl.pid}) already uses the data directory ${dataDir}: stop it first, or use another directory (--data or BERTH_DATA)`;
}

/** True when `given` is the token; compared in constant time (hashes first, so lengths never leak). */
export function tokenMatches(given: string, token: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(given), h(token));
}

/** A running control listener. */
export interface ControlServer {
  url: string;
  /** Stops listening (calls in flight may finish for up to `graceMs`) and removes control.json. */
  close(graceMs?: number): Promise<void>;
}

/** Options of {@link startControlServer}. */
export interface ControlServerOptions {
  handlers: CoreHandlers;
  dataDir: string;
  log: Logger;
  /** Write control.json (default true; tests of the listener alone may skip it). */
  writeFile?: boolean;
  /** Where the changes local commands make are recorded (as the OS user they name). */
  audit?: AuditSink;
  /** The local registry, read through `GET /read/...` (without it those routes are 404). */
  read?: ReadSource;
}

/** Starts the control listener on 127.0.0.1 (ephemeral port) and writes control.json. */
export async function startControlServer(opts: ControlServerOptions): Promise<ControlServer> {
  const token = randomBytes(32).toString('base64url');
  const server = createServer((req, res) => void handle(req, res, token, opts));
  // A call may legitimately run long (a collection of a big store); idle sockets still close.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = controlFilePath(opts.dataDir);
  const writeFile = opts.writeFile ?? true;
  if (writeFile) {
    const previous = readControlFile(opts.dataDir);
    if (previous && previous.pid !== process.pid && isProcessAlive(previous.pid)) {
      opts.log.warn(`another berth serve (pid ${previous.pid}) seems to use this data directory; two servers on one directory disagree about its index`);
    }
    writeFileAtomic(file, JSON.stringify({ pid: process.pid, url, token } satisfies ControlFile) + '\n', 0o600);
  }
  return {
    url,
    async close(graceMs = 5000) {
      // Only our own file: a newer server may have replaced it.
      if (writeFile && readControlFile(opts.dataDir)?.token === token) {
        try {
          unlinkSync(file);
        } catch {
          // Already gone.
        }
      }
      await closeServer(server, graceMs);
    },
  };
}


async function handle(req: IncomingMessage, res: ServerResponse, token: string, opts: ControlServerOptions): Promise<void> {
  const auth = req.headers.authorization ?? '';
  const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  if (!tokenMatches(given, token)) {
    req.resume();
    return sendEnvelope(res, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: 'a valid control token is required' } });
  }
  if (opts.read && isReadRoute(req.url)) return handleReadRoute(req, res, opts.read, opts.log);
  const m = /^\/invoke\/([^/?]+)$/.exec(req.url ?? '');
  const channel = m ? decodeURIComponent(m[1]!) : null;
  if (!channel || !isInvokeChannel(channel)) {
    req.resume();
    return sendEnvelope(res, 404, { ok: false, error: { code: 'CHANNEL_UNKNOWN', message: `unknown channel ${JSON.stringify(channel ?? req.url)}` } });
  }
  if (req.method !== 'POST') {
    req.resume();
    res.setHeader('Allow', 'POST');
    return sendEnvelope(res, 405, { ok: false, error: { code: 'UNSUPPORTED', message: 'use POST' } });
  }
  const body = await readBody(req);
  if (body === null) {
    return sendEnvelope(res, 413, { ok: false, error: { code: 'ARGS_INVALID', message: `the body is over ${MAX_BODY_BYTES} bytes` } });
  }
  let args: unknown;
  try {
    args = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
    checkArgs(channel, args);
  } catch (err) {
    const error: ApiError = err instanceof SyntaxError ? { code: 'ARGS_INVALID', message: 'the body is not JSON' } : toApiError(err, opts.log, channel);
    return sendEnvelope(res, error.code === 'INTERNAL' ? 500 : 400, { ok: false, error });
  }
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
  const envelope = await dispatch(
    opts.handlers,
    channel,
    args,
    (event, payload) => {
      if (!res.writableEnded) res.write(JSON.stringify({ event, payload }) + '\n');
    },
    opts.log,
    { audit: opts.audit && { sink: opts.audit, actor: localActor('cli', actorFromHeader(req.headers[ACTOR_HEADER])) } },
  );
  res.end(JSON.stringify(envelope) + '\n');
}

function sendEnvelope(res: ServerResponse, status: number, envelope: Envelope<unknown>): void {
  res.writeHead(status, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(envelope) + '\n');
}

/** The request body, or null when it is too large (read to the end anyway, so the answer arrives). */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? null : Buffer.concat(chunks);
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive sockets go idle as their call ends; close them as soon as they do.
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  return closed.finally(() => {
    clearInterval(idle);
    clearTimeout(force);
  });
}
