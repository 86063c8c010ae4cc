import { randomBytes, randomInt } from 'node:crypto';
import { pushRandomImage, sha256, type PushedImage } from '../helpers/push';

/** One upload or image push the workload attempted, and how far the client saw it get. */
export interface Attempt {
  kind: 'monolithic' | 'chunked' | 'image';
  repo: string;
  /** The blob's digest (uploads) or the manifest's digest (images, once known). */
  digest: string;
  /** The blob's bytes (uploads), to check what is served and to resume. */
  data?: Buffer;
  /** The upload's Location (path and query, no host: the port changes on restart), once the POST answered. */
  location?: string;
  /** Tag of an image push. */
  tag?: string;
  image?: PushedImage;
  /** True when the final request answered 201 before the kill. */
  done: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TIMEOUT = 60_000;

/** A request body that trickles `data` out in `chunk`-byte pieces with a pause between them. */
function slowBody(data: Buffer, chunk: number, pauseMs: number): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    async pull(ctrl) {
      if (off >= data.length) return ctrl.close();
      if (off > 0) await sleep(pauseMs);
      ctrl.enqueue(new Uint8Array(data.subarray(off, off + chunk)));
      off += chunk;
    },
  });
}

async function startUpload(base: string, a: Attempt): Promise<URL> {
  const res = await fetch(`${base}/v2/${a.repo}/blobs/uploads/`, { method: 'POST', signal: AbortSignal.timeout(TIMEOUT) });
  await res.arrayBuffer();
  if (res.status !== 202) throw new Error(`POST upload: ${res.status}`);
  const loc = new URL(res.headers.get('location')!, base);
  a.location = loc.pathname + loc.search;
  return loc;
}

/** POST, then one PUT whose big body streams in slowly. */
async function monolithic(base: string, repo: string, log: Attempt[]): Promise<void> {
  const data = randomBytes(randomInt(1 << 20, 4 << 20));
  const a: Attempt = { kind: 'monolithic', repo, digest: sha256(data), data, done: false };
  log.push(a);
  const loc = await startUpload(base, a);
  loc.searchParams.set('digest', a.digest);
  const res = await fetch(loc, {
    method: 'PUT',
    body: slowBody(data, 64 << 10, randomInt(2, 12)),
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.length) },
    duplex: 'half',
    signal: AbortSignal.timeout(TIMEOUT),
  } as RequestInit);
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`PUT upload: ${res.status}`);
  a.done = true;
}

/** POST, several PATCHes with Content-Range (each streamed), then PUT with the digest. */
async function chunked(base: string, repo: string, log: Attempt[]): Promise<void> {
  const data = randomBytes(randomInt(1 << 20, 3 << 20));
  const a: Attempt = { kind: 'chunked', repo, digest: sha256(data), data, done: false };
  log.push(a);
  let loc = await startUpload(base, a);
  const step = 256 << 10;
  for (let off = 0; off < data.length; off += step) {
    const piece = data.subarray(off, Math.min(off + step, data.length));
    const res = await fetch(loc, {
      method: 'PATCH',
      body: slowBody(piece, 32 << 10, randomInt(1, 6)),
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `${off}-${off + piece.length - 1}`,
        'Content-Length': String(piece.length),
      },
      duplex: 'half',
      signal: AbortSignal.timeout(TIMEOUT),
    } as RequestInit);
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`PATCH: ${res.status}`);
    loc = new URL(res.headers.get('location')!, base);
    a.location = loc.pathname + loc.search;
  }
  loc.searchParams.set('digest', a.digest);
  const res = await fetch(loc, { method: 'PUT', signal: AbortSignal.timeout(TIMEOUT) });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`PUT upload: ${res.status}`);
  a.done = true;
}

/** A whole image: layers, config, then the manifest under a tag used only once. */
async function image(base: string, repo: string, tag: string, log: Attempt[]): Promise<void> {
  const a: Attempt = { kind: 'image', repo, digest: '', tag, done: false };
  log.push(a);
  a.image = await pushRandomImage(base, repo, tag, [randomInt(1_000, 600_000), randomInt(100, 5_000)]);
  a.digest = a.image.digest;
  a.done = true;
}

/** A running workload: stop() tells every worker to start nothing new and waits for them (bounded). */
export interface Workload {
  log: Attempt[];
  stop(): Promise<void>;
}

/**
 * Runs upload and push workers against `base` until stopped: `mono` monolithic slow PUTs,
 * `chunks` chunked PATCH sequences, `images` image pushers (unique tags) and one pusher that keeps
 * moving the tag `crash/moving:latest`. `round` keeps repository and tag names apart between rounds.
 */
export function startWorkload(base: string, round: number, opts = { mono: 4, chunks: 3, images: 3 }): Workload {
  const log: Attempt[] = [];
  let stopping = false;
  const loop = (fn: (i: number) => Promise<void>) =>
    (async () => {
      for (let i = 0; !stopping && i < 10_000; i++) {
        try {
          await fn(i);
        } catch {
          if (stopping) return;
          await sleep(20);
        }
      }
    })();
  const workers: Promise<void>[] = [];
  for (let w = 0; w < opts.mono; w++) workers.push(loop(() => monolithic(base, `crash/mono${w % 2}`, log)));
  for (let w = 0; w < opts.chunks; w++) workers.push(loop(() => chunked(base, 'crash/chunked', log)));
  for (let w = 0; w < opts.images; w++) workers.push(loop((i) => image(base, `crash/img${w}`, `r${round}-w${w}-${i}`, log)));
  workers.push(loop(async () => {
    const a: Attempt = { kind: 'image', repo: 'crash/moving', digest: '', tag: 'latest', done: false };
    a.image = await pushRandomImage(base, 'crash/moving', 'latest', [randomInt(100, 50_000)]);
    a.digest = a.image.digest;
    a.done = true;
    log.push(a);
  }));
  return {
    log,
    async stop() {
      stopping = true;
      // Requests to a killed server fail fast; the bound only guards against a hung socket.
      await Promise.race([Promise.all(workers), sleep(TIMEOUT + 5_000)]);
    },
  };
}
