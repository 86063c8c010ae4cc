import { performance } from 'node:perf_hooks';
import { pool } from './http';
import type { Blob, Payload } from './payload';
import {
  MANIFEST_ACCEPT,
  checkBlob,
  checkManifest,
  download,
  mountImage,
  pushTinyImage,
  putManifest,
  uploadChunked,
  uploadMonolithic,
  walkList,
  type TinyImage,
} from './ops';
import { expectStatus, request } from './http';
import type { Side } from './report';
import { cpuMs, type Server } from './servers';
import { abHead, wrkGet } from './load';

const MiB = 1024 * 1024;

/** Sizes and counts of one bench run (full or --quick). */
export interface Sizes {
  monolithic: number;
  chunked: number;
  chunk: number;
  wrkSeconds: number;
  connections: number;
  repos: number;
  tags: number;
  page: number;
  walksPerRun: number;
  /** Walks timed back to back in one sample (their mean), so CPU ticks (10 ms) can resolve them. */
  walksPerSample: number;
  setupConcurrency: number;
}

/** The workload. */
export const FULL: Sizes = {
  monolithic: 256 * MiB,
  chunked: 64 * MiB,
  chunk: 8 * MiB,
  wrkSeconds: 8,
  connections: 32,
  repos: 1000,
  tags: 2000,
  page: 100,
  walksPerRun: 3,
  walksPerSample: 5,
  setupConcurrency: 16,
};

/** A smoke run of the same code paths in well under a minute. */
export const QUICK: Sizes = {
  monolithic: 32 * MiB,
  chunked: 16 * MiB,
  chunk: 8 * MiB,
  wrkSeconds: 2,
  connections: 32,
  repos: 150,
  tags: 300,
  page: 100,
  walksPerRun: 2,
  walksPerSample: 3,
  setupConcurrency: 16,
};

/** What the bench knows about one server between workloads. */
export interface ServerState {
  server: Server;
  /** The tiny image every manifest/catalog/tags workload reuses. */
  image?: TinyImage;
  /** The last blob uploaded monolithically (downloaded by the download workload). */
  lastUpload?: Blob;
  /** Timed setup steps, ms. */
  setupMs: Record<string, number>;
  /** Observations worth printing (e.g. a spec gap seen while verifying). */
  notes: Set<string>;
}

/** One benchmark: a setup per server and a measure that returns one verified sample. */
export interface Workload {
  id: string;
  title: string;
  unit: string;
  /** True for throughput (ratio = Berth / registry:2); false for times (ratio = registry:2 / Berth). */
  higherIsBetter: boolean;
  /** The target for the ratio, if it sets one. */
  target?: number;
  samplesPerRun: number;
  /** Operations one sample times (its value is per operation); server CPU is divided by it. */
  opsPerSample?: number;
  setup?(s: ServerState): Promise<void>;
  measure(s: ServerState): Promise<number>;
}

const fmtSize = (bytes: number) => `${bytes / MiB} MiB`;
const mibPerSec = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function ensureImage(s: ServerState): Promise<TinyImage> {
  if (!s.image) {
    s.image = await pushTinyImage(s.server.url, 'bench/manifest', 'latest');
    await checkManifest(s.server.url, 'bench/manifest', 'latest', s.image);
  }
  return s.image;
}

/**
 * Untimed warm-up so neither server's first sample pays for cold code paths (V8's JIT, Go's first
 * allocations): a tiny image, then a small monolithic and chunked upload and a download.
 */
export async function warmUp(s: ServerState, small: Payload): Promise<void> {
  await ensureImage(s);
  const a = small.blob();
  await uploadMonolithic(s.server.url, 'bench/warmup', a);
  await uploadChunked(s.server.url, 'bench/warmup', small.blob(), Math.ceil(small.size / 4));
  await download(s.server.url, 'bench/warmup', a);
}

function sortedUnique(items: string[]): boolean {
  return items.every((v, i) => i === 0 || items[i - 1]! < v);
}

/** The workloads, in the order they run. */
export function workloads(sizes: Sizes, mono: Payload, chunked: Payload): Workload[] {
  const repoNames = Array.from({ length: sizes.repos }, (_, i) => `catalog/r${String(i).padStart(5, '0')}`);
  const tagNames = Array.from({ length: sizes.tags }, (_, i) => `t${String(i).padStart(5, '0')}`);

  /** Times `walksPerSample` full tag listings from `/tags/list<query>` and verifies the last. */
  const tagsWalk = async (s: ServerState, query: string): Promise<number> => {
    let items: string[] = [];
    let pages = 0;
    const ms = await timed(async () => {
      for (let k = 0; k < sizes.walksPerSample; k++) ({ items, pages } = await walkList(s.server.url, `/v2/bench/tags/tags/list${query}`, 'tags'));
    });
    const have = new Set(items);
    if (have.size !== items.length || items.length !== tagNames.length || tagNames.some((t) => !have.has(t))) {
      throw new Error(`tags list returned ${items.length} tags (${have.size} distinct), expected the ${tagNames.length} pushed`);
    }
    const order = sortedUnique(items) ? 'lexical order' : 'NOT in lexical order';
    const paging = query && pages === 1 && tagNames.length > sizes.page ? `one page (n=${sizes.page} ignored)` : `${pages} page(s)`;
    s.notes.add(`tags${query}: ${items.length} tags in ${paging}, ${order}`);
    return ms / sizes.walksPerSample;
  };

  const manifestLoad = (method: 'GET' | 'HEAD'): Workload => ({
    id: `manifest-${method.toLowerCase()}`,
    title: `Manifest ${method} by tag, ${sizes.connections} connections (${method === 'GET' ? 'wrk' : 'ab'})`,
    unit: 'req/s',
    higherIsBetter: true,
    target: method === 'GET' ? 5 : undefined,
    samplesPerRun: 1,
    async setup(s) {
      const image = await ensureImage(s);
      const head = expectStatus(await request(`${s.server.url}/v2/bench/manifest/manifests/latest`, 'HEAD', { headers: { Accept: MANIFEST_ACCEPT } }), 200, 'HEAD manifest');
      if (head.headers['docker-content-digest'] !== image.digest || Number(head.headers['content-length']) !== image.manifest.length) {
        throw new Error(`HEAD manifest: ${head.headers['docker-content-digest']} / ${head.headers['content-length']}, expected ${image.digest} / ${image.manifest.length}`);
      }
    },
    async measure(s) {
      const load = method === 'GET' ? wrkGet : abHead;
      const r = await load({
        url: `${s.server.url}/v2/bench/manifest/manifests/latest`,
        connections: sizes.connections,
        seconds: sizes.wrkSeconds,
        headers: { Accept: MANIFEST_ACCEPT },
      });
      if (r.errors > 0) throw new Error(`${r.tool} ${method}: ${r.errors} errors or non-2xx answers of ${r.requests}`);
      return r.requestsPerSec;
    },
  });

  return [
    {
      id: 'upload-monolithic',
      title: `${fmtSize(sizes.monolithic)} monolithic upload (POST + PUT)`,
      unit: 'MiB/s',
      higherIsBetter: true,
      target: 2,
      samplesPerRun: 1,
      async measure(s) {
        const blob = mono.blob();
        const ms = await timed(() => uploadMonolithic(s.server.url, 'bench/upload', blob));
        await checkBlob(s.server.url, 'bench/upload', blob);
        s.lastUpload = blob;
        return mibPerSec(blob.size, ms);
      },
    },
    {
      id: 'upload-chunked',
      title: `${fmtSize(sizes.chunked)} chunked upload (${fmtSize(sizes.chunk)} PATCHes)`,
      unit: 'MiB/s',
      higherIsBetter: true,
      target: 2,
      samplesPerRun: 1,
      async measure(s) {
        const blob = chunked.blob();
        const ms = await timed(() => uploadChunked(s.server.url, 'bench/chunked', blob, sizes.chunk));
        await checkBlob(s.server.url, 'bench/chunked', blob);
        return mibPerSec(blob.size, ms);
      },
    },
    {
      id: 'download',
      title: `${fmtSize(sizes.monolithic)} blob download (hashed)`,
      unit: 'MiB/s',
      higherIsBetter: true,
      samplesPerRun: 1,
      async setup(s) {
        if (!s.lastUpload) {
          s.lastUpload = mono.blob();
          await uploadMonolithic(s.server.url, 'bench/upload', s.lastUpload);
        }
      },
      async measure(s) {
        const blob = s.lastUpload!;
        return mibPerSec(blob.size, await timed(() => download(s.server.url, 'bench/upload', blob)));
      },
    },
    manifestLoad('GET'),
    manifestLoad('HEAD'),
    {
      id: 'catalog',
      title: `Catalog walk, ${sizes.repos}+ repos, n=${sizes.page}`,
      unit: 'ms/walk',
      higherIsBetter: false,
      target: 20,
      samplesPerRun: sizes.walksPerRun,
      async setup(s) {
        const image = await ensureImage(s);
        s.setupMs[`push ${sizes.repos} repos (mount + manifest)`] = await timed(() =>
          pool(repoNames, sizes.setupConcurrency, (repo) => mountImage(s.server.url, repo, 'latest', image)),
        );
      },
      opsPerSample: sizes.walksPerSample,
      async measure(s) {
        let items: string[] = [];
        let pages = 0;
        const ms = await timed(async () => {
          for (let k = 0; k < sizes.walksPerSample; k++) ({ items, pages } = await walkList(s.server.url, `/v2/_catalog?n=${sizes.page}`, 'repositories'));
        });
        const have = new Set(items);
        const missing = repoNames.filter((r) => !have.has(r));
        if (missing.length > 0) throw new Error(`catalog walk misses ${missing.length} repos, e.g. ${missing[0]}`);
        if (!sortedUnique(items)) throw new Error('catalog walk is not in lexical order or repeats a name');
        s.notes.add(`catalog: ${items.length} repos in ${pages} pages`);
        return ms / sizes.walksPerSample;
      },
    },
    {
      id: 'tags',
      title: `Tags list walk, ${sizes.tags} tags, n=${sizes.page}`,
      unit: 'ms/walk',
      higherIsBetter: false,
      samplesPerRun: sizes.walksPerRun,
      async setup(s) {
        const image = await ensureImage(s);
        s.setupMs[`push ${sizes.tags} tags`] = await timed(async () => {
          await mountImage(s.server.url, 'bench/tags', tagNames[0]!, image);
          await pool(tagNames.slice(1), sizes.setupConcurrency, (tag) => putManifest(s.server.url, 'bench/tags', tag, image));
        });
      },
      opsPerSample: sizes.walksPerSample,
      measure: (s) => tagsWalk(s, `?n=${sizes.page}`),
    },
    {
      // registry:2 ignores n on tags, so the paged walk above is not like for like: this is.
      id: 'tags-all',
      title: `Tags list, ${sizes.tags} tags, one request (no n)`,
      unit: 'ms/list',
      higherIsBetter: false,
      samplesPerRun: sizes.walksPerRun,
      opsPerSample: sizes.walksPerSample,
      measure: (s) => tagsWalk(s, ''),
    },
  ];
}

/**
 * Runs one workload on every server: its setup, then `runs` rounds that alternate which server goes
 * first (so warm caches and background load favour none), `samplesPerRun` samples each with the
 * server's CPU per operation. A failure (setup or a verification) marks that server's side, is added
 * to `failures` with the server's last output, and the others go on. Sides come in `states` order.
 */
export async function sampleWorkload(
  w: Workload,
  states: readonly ServerState[],
  runs: number,
  out: { say: (msg: string) => void; failures: string[] },
): Promise<Side[]> {
  const sides = new Map<ServerState, Side>(states.map((s) => [s, { samples: [], cpuMs: [] }]));
  const width = Math.max(...states.map((s) => s.server.name.length));
  const fail = (s: ServerState, e: unknown) => {
    const side = sides.get(s)!;
    side.error = (e as Error).message;
    out.failures.push(`${w.title} on ${s.server.name}: ${side.error}\n--- last server output ---\n${s.server.output().slice(-2000)}`);
    out.say(`  ${s.server.name}: FAILED: ${side.error.split('\n')[0]}`);
  };
  for (const s of states) await w.setup?.(s).catch((e: unknown) => fail(s, e));
  for (let run = 0; run < runs; run++) {
    for (const s of run % 2 === 0 ? states : [...states].reverse()) {
      const side = sides.get(s)!;
      for (let k = 0; k < w.samplesPerRun && !side.error; k++) {
        const cpu0 = cpuMs(s.server.pid);
        try {
          const value = await w.measure(s);
          side.samples.push(value);
          side.cpuMs.push((cpuMs(s.server.pid) - cpu0) / (w.opsPerSample ?? 1));
          out.say(`  run ${run + 1} ${s.server.name.padEnd(width)} ${value.toFixed(1)} ${w.unit}`);
        } catch (e) {
          fail(s, e);
        }
      }
    }
  }
  return states.map((s) => sides.get(s)!);
}
