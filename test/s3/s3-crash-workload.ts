/**
 * The load for the crash test on S3: concurrent uploads of blobs big enough for several multipart
 * parts (monolithic PUTs and chunked PATCH sequences) and small image pushes, with a kill trigger
 * that fires at a point chosen by a seeded generator (after N bytes went out, or once a request body
 * was sent in full so that the server is in the middle of completing it).
 */
import { randomBytes } from 'node:crypto';
import { pushRandomImage, sha256 } from '../helpers/push';

const MiB = 1024 * 1024;
const TIMEOUT = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A deterministic generator (mulberry32): the same seed gives the same sizes and kill points. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One big upload or image push, and how far the client saw it get. */
export interface S3Attempt {
  kind: 'monolithic' | 'chunked' | 'image';
  repo: string;
  /** The blob's digest, or the manifest's once its PUT answered. */
  digest: string;
  size: number;
  /** The blob's bytes (uploads), to check what is stored and to resume. */
  data?: Buffer;
  /** The upload's path and query (no host: the port changes on restart), once the POST answered. */
  location?: string;
  uuid?: string;
  /** Bytes acknowledged by a 202 (chunked) and bytes handed to the socket so far. */
  acked: number;
  sent: number;
  /** The request in flight: the data PATCHes, or the final PUT. */
  phase: 'post' | 'patch' | 'put';
  tag?: string;
  image?: Awaited<ReturnType<typeof pushRandomImage>>;
  done: boolean;
}

/** Where a round kills the server. */
export type KillPoint =
  /** Once this many upload bytes went out in total (mid-body of whatever is in flight). */
  | { after: 'bytes'; bytes: number }
  /** `delayMs` after the last byte of a monolithic PUT (or a PATCH) went out, once `minBytes` went out in total. */
  | { after: 'mono-body' | 'patch-body'; minBytes: number; delayMs: number }
  /** Only when the test calls `killNow`. */
  | { after: 'manual' };

/** A running workload; `killed` resolves once the trigger fired. */
export interface S3Workload {
  log: S3Attempt[];
  killed: Promise<void>;
  /** Bytes of upload bodies handed to fetch so far. */
  sentTotal(): number;
  /** Fires the kill now (for a kill point the test decides by watching the bucket). */
  killNow(): void;
  /** Starts nothing new and waits (bounded) for every worker to give up. */
  stop(): Promise<void>;
}

/** Options of {@link startS3Workload}. */
export interface S3WorkloadOptions {
  base: string;
  round: number;
  rand: () => number;
  kill: KillPoint;
  /** Called once, synchronously, when the kill point is reached (sends SIGKILL). */
  onKill: () => void;
  mono?: number;
  chunks?: number;
  images?: number;
  /** Blob sizes are drawn from [minMiB, maxMiB). */
  minMiB?: number;
  maxMiB?: number;
}

/**
 * Starts the workers: `mono` monolithic uploaders (POST, then one PUT streaming the whole blob),
 * `chunks` chunked uploaders (PATCHes of 3 to 9 MiB with Content-Range, then PUT ?digest=), and
 * `images` pushers of small images under unique tags, until the kill point is reached.
 */
export function startS3Workload(o: S3WorkloadOptions): S3Workload {
  const log: S3Attempt[] = [];
  let stopping = false;
  let total = 0;
  let fire!: () => void;
  const killed = new Promise<void>((r) => (fire = r));
  const trigger = () => {
    if (stopping) return;
    stopping = true;
    o.onKill();
    fire();
  };
  const sizeOf = () => Math.floor(((o.minMiB ?? 12) + o.rand() * ((o.maxMiB ?? 30) - (o.minMiB ?? 12))) * MiB);

  /** A body that hands `data` to the socket in 256 KiB pieces, counting them, and fires the trigger. */
  const body = (a: S3Attempt, data: Buffer, kind: 'mono-body' | 'patch-body'): ReadableStream<Uint8Array> => {
    let off = 0;
    return new ReadableStream({
      pull(ctrl) {
        if (stopping) return ctrl.error(new Error('stopping'));
        if (off >= data.length) {
          ctrl.close();
          const k = o.kill;
          if (k.after === kind && total >= k.minBytes) setTimeout(trigger, k.delayMs);
          return;
        }
        const piece = data.subarray(off, off + 256 * 1024);
        off += piece.length;
        a.sent += piece.length;
        total += piece.length;
        ctrl.enqueue(new Uint8Array(piece));
        if (o.kill.after === 'bytes' && total >= o.kill.bytes) trigger();
      },
    });
  };
  const send = (url: URL, init: RequestInit) =>
    fetch(url, { ...init, duplex: 'half', signal: AbortSignal.timeout(TIMEOUT) } as RequestInit);

  const post = async (a: S3Attempt): Promise<URL> => {
    const res = await send(new URL(`/v2/${a.repo}/blobs/uploads/`, o.base), { method: 'POST' });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`POST: ${res.status}`);
    const loc = new URL(res.headers.get('location')!, o.base);
    a.location = loc.pathname + loc.search;
    a.uuid = res.headers.get('docker-upload-uuid') ?? undefined;
    return loc;
  };

  const newUpload = (kind: 'monolithic' | 'chunked', repo: string): S3Attempt => {
    const data = randomBytes(sizeOf());
    const a: S3Attempt = { kind, repo, digest: sha256(data), size: data.length, data, acked: 0, sent: 0, phase: 'post', done: false };
    log.push(a);
    return a;
  };

  const monolithic = async (w: number) => {
    const a = newUpload('monolithic', `s3crash/mono${w}`);
    const loc = await post(a);
    loc.searchParams.set('digest', a.digest);
    a.phase = 'put';
    const res = await send(loc, {
      method: 'PUT',
      body: body(a, a.data!, 'mono-body'),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(a.size) },
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`PUT: ${res.status}`);
    a.done = true;
  };

  const chunked = async (w: number) => {
    const a = newUpload('chunked', `s3crash/chunked${w}`);
    let loc = await post(a);
    a.phase = 'patch';
    while (a.acked < a.size) {
      const len = Math.min(Math.floor((3 + o.rand() * 6) * MiB), a.size - a.acked);
      const start = a.acked;
      a.sent = start;
      const res = await send(loc, {
        method: 'PATCH',
        body: body(a, a.data!.subarray(start, start + len), 'patch-body'),
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Range': `${start}-${start + len - 1}`,
          'Content-Length': String(len),
        },
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`PATCH: ${res.status}`);
      a.acked = start + len;
      loc = new URL(res.headers.get('location')!, o.base);
      a.location = loc.pathname + loc.search;
    }
    a.phase = 'put';
    loc.searchParams.set('digest', a.digest);
    const res = await send(loc, { method: 'PUT' });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`PUT: ${res.status}`);
    a.done = true;
  };

  const image = async (w: number, i: number) => {
    const tag = `r${o.round}-w${w}-${i}`;
    const a: S3Attempt = { kind: 'image', repo: `s3crash/img${w}`, digest: '', size: 0, acked: 0, sent: 0, phase: 'put', tag, done: false };
    log.push(a);
    a.image = await pushRandomImage(o.base, a.repo, tag, [Math.floor(100_000 + o.rand() * 900_000), 2_000]);
    a.digest = a.image.digest;
    a.done = true;
  };

  const loop = (fn: (i: number) => Promise<void>) =>
    (async () => {
      for (let i = 0; !stopping && i < 1_000; i++) {
        try {
          await fn(i);
        } catch {
          if (stopping) return;
          await sleep(50);
        }
      }
    })();
  const workers: Promise<void>[] = [];
  for (let w = 0; w < (o.mono ?? 2); w++) workers.push(loop(() => monolithic(w)));
  for (let w = 0; w < (o.chunks ?? 2); w++) workers.push(loop(() => chunked(w)));
  for (let w = 0; w < (o.images ?? 2); w++) workers.push(loop((i) => image(w, i)));
  return {
    log,
    killed,
    sentTotal: () => total,
    killNow: trigger,
    async stop() {
      stopping = true;
      await Promise.race([Promise.all(workers), sleep(TIMEOUT + 5_000)]);
    },
  };
}
