/**
 * Browse benchmark (issue 5): a repository of 500 multi-arch tags, each an index of 2–3 platforms
 * whose layers are shared the way real images share them (a few base layers per architecture used
 * by many tags, one arch-independent layer shared by the platforms of a tag, one small layer of its
 * own per platform). Blobs are tiny so the setup takes seconds; what is measured is the manifest
 * and config traffic and the size arithmetic, which do not depend on layer bytes.
 *
 * Measured through the Browser: "tags page with sizes for every tag (n = 500) + repositorySize",
 *   - remote: a real `berth serve` on the data dir, read over HTTP by RemoteSource (concurrency 8);
 *   - registry:2: `docker-registry` serving the same data dir (registry:2's own layout), read the same
 *     way, when installed: the ratio says what Berth as the remote costs against the reference;
 *   - local: the same data dir in-process (names and digests from the index, content from disk);
 * each cold (empty browse cache) and warm (the same call again). Every answer is checked against
 * the sizes computed here while writing, so a fast wrong answer cannot pass.
 *
 *   npx tsx bench/browse.ts                 # 500 tags
 *   npx tsx bench/browse.ts --tags 100      # smaller
 *   npx tsx bench/browse.ts --source        # run berth serve from the source (tsx) instead of a bundle
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Browser } from '../src-server/browse/browser';
import { BrowseCache } from '../src-server/browse/cache';
import { LocalSource } from '../src-server/browse/local-source';
import { RemoteSource } from '../src-server/browse/remote-source';
import type { RegistrySource } from '../src-server/browse/source';
import { silentLogger } from '../src-server/logger';
import { RemoteRegistry } from '../src-server/remote/client';
import { createServices } from '../src-server/services';
import { registryInstalled, startBerth, startRegistry, type BerthMode } from './lib/servers';

/** Options of {@link runBrowseBench}. */
export interface BrowseBenchOptions {
  /** Tags in the repository (default 500). */
  tags?: number;
  /** How `berth serve` runs (default: a bundle, as released). */
  mode?: BerthMode;
  /** Remote fetches in flight (default 8, the Browser's default). */
  concurrency?: number;
  say?: (line: string) => void;
}

/** One measured row. */
export interface BrowseBenchRow {
  connection: 'remote (berth serve, HTTP)' | 'remote (registry:2, HTTP)' | 'local (in-process)';
  coldMs: number;
  warmMs: number;
  tags: number;
  bytes: number;
}

/** The benchmark's result. */
export interface BrowseBenchResult {
  tags: number;
  platforms: number;
  rows: BrowseBenchRow[];
}

const REPO = 'bench/multiarch';
const ARCHES = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
];
const OCI = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const fill = (seed: string, size: number) => {
  const block = createHash('sha256').update(seed).digest();
  return Buffer.alloc(size, block);
};

/** Writes the repository through `source`; returns the distinct bytes a repository size must find. */
async function writeDataset(source: RegistrySource, tags: number): Promise<{ bytes: number; platforms: number; tagSizes: Map<string, number> }> {
  const written = new Map<string, number>();
  const blob = async (data: Buffer, mediaType: string) => {
    const digest = sha256(data);
    if (!written.has(digest)) {
      await source.putBlob(REPO, digest, data.length, (async function* () {
        yield data;
      })());
      written.set(digest, data.length);
    }
    return { mediaType, digest, size: data.length };
  };
  const manifest = async (ref: string, body: Buffer, mediaType: string) => {
    const digest = sha256(body);
    await source.putManifest(REPO, ref, body, mediaType);
    written.set(digest, body.length);
    return { mediaType, digest, size: body.length };
  };
  let platforms = 0;
  const tagSizes = new Map<string, number>();
  for (let t = 0; t < tags; t++) {
    const tag = `v${Math.floor(t / 100)}.${t % 100}.0`;
    const own = new Map<string, number>();
    const assets = await blob(fill(`assets-${t}`, 2048), OCI.layer);
    const children = [];
    for (const p of ARCHES.slice(0, 2 + (t % 2))) {
      const arch = [p.architecture, p.variant].filter(Boolean).join('');
      // Eight base generations per architecture: each base layer is shared by many tags.
      const base = await blob(fill(`base-${arch}-${t % 8}`, 8192), OCI.layer);
      const mine = await blob(fill(`app-${arch}-${t}`, 512), OCI.layer);
      const config = await blob(
        Buffer.from(JSON.stringify({ created: new Date(Date.UTC(2024, 0, 1) + t * 3_600_000).toISOString(), ...p, config: { Cmd: ['/app'] }, rootfs: { type: 'layers', diff_ids: [base.digest, assets.digest, mine.digest] } })),
        OCI.config,
      );
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.manifest, config, layers: [base, assets, mine] }));
      const child = await manifest(sha256(body), body, OCI.manifest);
      for (const d of [child, config, base, assets, mine]) own.set(d.digest, d.size);
      children.push({ ...child, platform: p });
      platforms++;
    }
    const idx = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests: children }));
    const top = await manifest(tag, idx, OCI.index);
    own.set(top.digest, top.size);
    tagSizes.set(tag, [...own.values()].reduce((a, b) => a + b, 0));
  }
  return { bytes: [...written.values()].reduce((a, b) => a + b, 0), platforms, tagSizes };
}

/** One timed "tags page with sizes + repository size", checked against the expected figures. */
async function measure(browser: Browser, connection: string, expected: { bytes: number; tagSizes: Map<string, number> }): Promise<{ ms: number; tags: number; bytes: number }> {
  const t0 = performance.now();
  const [page, size] = await Promise.all([
    browser.tags({ connection, repository: REPO, n: Math.min(1000, expected.tagSizes.size) }),
    browser.repositorySize({ connection, repository: REPO }),
  ]);
  const ms = performance.now() - t0;
  const wrong = page.items.filter((t) => t.error || t.size !== expected.tagSizes.get(t.name));
  if (page.items.length !== expected.tagSizes.size || wrong.length) {
    throw new Error(`${connection}: ${page.items.length} tags, ${wrong.length} wrong (first: ${JSON.stringify(wrong[0])})`);
  }
  if (size.bytes !== expected.bytes || size.failed.length) throw new Error(`${connection}: repository size ${size.bytes}, expected ${expected.bytes}`);
  return { ms, tags: page.items.length, bytes: size.bytes };
}

/** Runs the browse benchmark; returns the rows and prints a small table through `say`. */
export async function runBrowseBench(opts: BrowseBenchOptions = {}): Promise<BrowseBenchResult> {
  const tags = opts.tags ?? 500;
  const say = opts.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const tmp = mkdtempSync(join(tmpdir(), 'berth-bench-browse-'));
  const dataDir = join(tmp, 'data');
  const rows: BrowseBenchRow[] = [];
  let stop: (() => Promise<void>) | null = null;
  try {
    const services = await createServices({ dataDir, fsync: false, log: silentLogger });
    let expected: Awaited<ReturnType<typeof writeDataset>>;
    try {
      const local = new LocalSource(services.registry, () => '127.0.0.1');
      const t0 = performance.now();
      expected = await writeDataset(local, tags);
      say(`wrote ${tags} tags (${expected.platforms} platform manifests, ${expected.bytes} distinct bytes) in ${Math.round(performance.now() - t0)} ms`);
      const browser = new Browser({ cache: new BrowseCache(new Database(':memory:')), source: async () => local, registry: services.registry });
      const cold = await measure(browser, 'local', expected);
      const warm = await measure(browser, 'local', expected);
      rows.push({ connection: 'local (in-process)', coldMs: cold.ms, warmMs: warm.ms, tags: cold.tags, bytes: cold.bytes });
    } finally {
      services.close();
    }
    const server = await startBerth(dataDir, opts.mode ?? 'bundle');
    stop = server.stop;
    const remote = new RemoteSource({ id: 'bench', client: new RemoteRegistry({ url: server.url }), kind: 'registry' });
    const browser = new Browser({ cache: new BrowseCache(new Database(':memory:')), source: async () => remote, concurrency: opts.concurrency });
    const cold = await measure(browser, 'bench', expected);
    const warm = await measure(browser, 'bench', expected);
    rows.unshift({ connection: 'remote (berth serve, HTTP)', coldMs: cold.ms, warmMs: warm.ms, tags: cold.tags, bytes: cold.bytes });
    await stop();
    stop = null;
    if (registryInstalled()) {
      const reg = await startRegistry(dataDir, join(tmp, 'registry.yml'));
      stop = reg.stop;
      const r2 = new RemoteSource({ id: 'r2', client: new RemoteRegistry({ url: reg.url }), kind: 'registry' });
      const b2 = new Browser({ cache: new BrowseCache(new Database(':memory:')), source: async () => r2, concurrency: opts.concurrency });
      const c2 = await measure(b2, 'r2', expected);
      const w2 = await measure(b2, 'r2', expected);
      rows.splice(1, 0, { connection: 'remote (registry:2, HTTP)', coldMs: c2.ms, warmMs: w2.ms, tags: c2.tags, bytes: c2.bytes });
    }
    say('');
    say(`tags page with sizes (n=${tags}) + repository size, ${REPO}: ${tags} tags, ${expected.platforms} platforms`);
    say('| connection                 |  cold ms |  warm ms | tags |   bytes |');
    say('|----------------------------|---------:|---------:|-----:|--------:|');
    for (const r of rows) {
      say(`| ${r.connection.padEnd(26)} | ${r.coldMs.toFixed(0).padStart(8)} | ${r.warmMs.toFixed(1).padStart(8)} | ${String(r.tags).padStart(4)} | ${String(r.bytes).padStart(7)} |`);
    }
    const r2row = rows.find((r) => r.connection.includes('registry:2'));
    if (r2row) say(`cold, as the remote: Berth ${(r2row.coldMs / rows[0]!.coldMs).toFixed(2)}x registry:2's speed (registry:2 ms / Berth ms)`);
    return { tags, platforms: expected.platforms, rows };
  } finally {
    await stop?.();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { tags: { type: 'string' }, source: { type: 'boolean', default: false } } });
  const tags = values.tags ? Number(values.tags) : undefined;
  if (tags !== undefined && (!Number.isInteger(tags) || tags < 1 || tags > 1000)) throw new Error('--tags must be a whole number from 1 to 1000');
  runBrowseBench({ tags, mode: values.source ? 'source' : 'bundle' }).catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
