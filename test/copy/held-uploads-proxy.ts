/**
 * A loopback HTTP proxy in front of a real registry that holds blob uploads: every request passes
 * through unchanged, except that a PATCH or PUT carrying a blob's bytes is held (not forwarded)
 * until the test releases it. A copy through it is thus surely in the middle of a blob when the
 * test acts; no timing involved. A held request's body is read and kept meanwhile: a proxy that
 * stopped reading would never see its client give up (the close waits behind the unread bytes). A
 * held request whose client gives up is dropped without reaching the registry.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';

/** A running proxy. */
export interface HeldUploadsProxy {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Resolves when the first upload is held. */
  firstHeld: Promise<void>;
  /** Requests held now. */
  readonly held: number;
  /** Resolves once no held request is left (each forwarded or given up by its client). */
  drained(): Promise<void>;
  /** Forwards every held request, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

/** Starts the proxy in front of `target` (`http://127.0.0.1:PORT`). */
export async function startHeldUploadsProxy(target: string): Promise<HeldUploadsProxy> {
  const upstream = new URL(target);
  let released = false;
  const waiting = new Set<() => void>();
  let onFirst!: () => void;
  const firstHeld = new Promise<void>((resolve) => (onFirst = resolve));
  const drainWaiters: Array<() => void> = [];
  const settle = () => {
    if (waiting.size === 0) for (const w of drainWaiters.splice(0)) w();
  };

  /** Sends `req` on with the body read from `body` (the request itself, or what was kept of it). */
  const forward = (req: IncomingMessage, res: ServerResponse, body: Readable = req) => {
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.on('aborted', () => out.destroy());
    body.pipe(out);
  };

  const server = createServer((req, res) => {
    const carriesBlob = (req.method === 'PATCH' || req.method === 'PUT') && /\/blobs\/uploads\//.test(req.url ?? '') && Number(req.headers['content-length'] ?? '1') > 0;
    if (!carriesBlob || released) return forward(req, res);
    // Kept in memory (test blobs are a few MiB): reading on is what lets a close be seen.
    const kept = new PassThrough({ highWaterMark: 256 << 20 });
    req.pipe(kept);
    const go = () => {
      waiting.delete(go);
      forward(req, res, kept);
      settle();
    };
    waiting.add(go);
    // The client gave up (a cancelled copy): nothing of this request reaches the registry.
    req.socket.once('close', () => {
      if (waiting.delete(go)) settle();
    });
    onFirst();
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    firstHeld,
    get held() {
      return waiting.size;
    },
    drained: () => (waiting.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => drainWaiters.push(resolve))),
    release() {
      released = true;
      for (const go of [...waiting]) go();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
