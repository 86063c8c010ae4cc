/**
 * The S3 section (`npm run bench -- --s3`): Berth with `storage.s3` on a private Ceph RGW, Berth on the
 * filesystem, and registry:2 (`docker-registry`) with its S3 driver on the same RGW, through the main
 * bench's upload, download and manifest GET workloads (the same verified operations, see workloads.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rgwAvailable, startRgw, type RunningRgw } from '../../test/helpers/rgw';
import { Payload } from './payload';
import type { Side } from './report';
import { S3_SIDE_NAMES, S3_SIDES, summarizeS3, type S3Memory, type S3Row, type S3SideId } from './s3-report';
import { berthS3Config, startRegistryOnS3, type S3Place } from './s3-servers';
import { memory, startBerth, type BerthMode, type Server } from './servers';
import { FULL, QUICK, sampleWorkload, warmUp, workloads, type ServerState, type Sizes } from './workloads';

const MiB = 1024 * 1024;
/** MiB to MB (10^6 bytes), as the main bench reports memory. */
const mb = (mib: number) => (mib * MiB) / 1e6;

/** The issue's S3 workload: 128 MiB monolithic, 64 MiB in 8 MiB PATCHes, manifest GET at 32 connections for 8 s. */
export const S3_FULL: Sizes = { ...FULL, monolithic: 128 * MiB };
/** A smoke run of the same paths. */
export const S3_QUICK: Sizes = { ...QUICK, monolithic: 16 * MiB, chunked: 16 * MiB };
/** The main bench's workloads that say something about a storage driver. */
const S3_WORKLOADS = ['upload-monolithic', 'upload-chunked', 'download', 'manifest-get'];

/** Where each S3 server keeps its content: a bucket of its own on the one RGW. */
const PLACES: Record<'berthS3' | 'registryS3', S3Place> = {
  berthS3: { bucket: 'berth-bench', root: 'bench' },
  registryS3: { bucket: 'registry-bench', root: 'bench' },
};

/** What the S3 section needs from the bench's command line. */
export interface S3BenchOptions {
  tmp: string;
  berthMode: BerthMode;
  nodeOptions: string[];
  sizes: Sizes;
  runs: number;
  /** Run registry:2 on S3 too (docker-registry installed and not --berth-only). */
  withRegistry: boolean;
  say(msg: string): void;
  /** Called with each server once it runs, so the bench can stop it on SIGINT. */
  started(s: Server): void;
}

/** The S3 section's figures, for the report and latest JSON. */
export interface S3Result {
  sizes: Sizes;
  rows: S3Row[];
  /** Peak RSS of each server after everything (MB). */
  memory: S3Memory;
  /** Peak RSS of each server after each workload (MB), to see which one drives it. */
  peakAfterWorkloadMB: Partial<Record<S3SideId, Record<string, number>>>;
  /** Peak RSS of radosgw itself (MB), for context. */
  radosgwPeakMB: number | null;
  servers: Partial<Record<S3SideId, { command: string; notes: string[] }>>;
}

/** Starts the three servers (registry:2 only when asked) into `states`, each reported to `started`. */
async function startServers(o: S3BenchOptions, rgw: RunningRgw, states: Map<S3SideId, ServerState>): Promise<void> {
  const add = (id: S3SideId, server: Server) => {
    o.started(server);
    states.set(id, { server, setupMs: {}, notes: new Set() });
    o.say(`${S3_SIDE_NAMES[id].padEnd(14)} ${server.url} (pid ${server.pid}, ${server.command})`);
  };
  for (const p of Object.values(PLACES)) await rgw.createBucket(p.bucket);

  const config = join(o.tmp, 'berth-s3.yml');
  writeFileSync(config, berthS3Config(rgw, PLACES.berthS3));
  for (const d of ['berth-s3-data', 'berth-fs-data']) mkdirSync(join(o.tmp, d));
  // Berth keeps its index and upload bookkeeping under --data; the content goes to the bucket.
  const onS3 = await startBerth(join(o.tmp, 'berth-s3-data'), o.berthMode, o.nodeOptions, ['--auth', 'none', '--config', config]);
  add('berthS3', { ...onS3, name: 'Berth S3', command: `${onS3.command} --config berth-s3.yml (storage.s3)` });
  const onFs = await startBerth(join(o.tmp, 'berth-fs-data'), o.berthMode, o.nodeOptions);
  add('berthFs', { ...onFs, name: 'Berth fs' });
  if (o.withRegistry) add('registryS3', await startRegistryOnS3(rgw, PLACES.registryS3, join(o.tmp, 'registry-s3.yml')));
}

/**
 * Runs the S3 section: starts a private RGW under `tmp`, the servers on it, and each workload
 * `runs` times per server (alternating the order), every sample verified. A failed sample marks
 * that server's cell and the section goes on; the RGW and the servers are stopped before it returns.
 */
export async function s3Bench(o: S3BenchOptions): Promise<{ result: S3Result; failures: string[] }> {
  if (!rgwAvailable()) throw new Error('--s3 needs Ceph RGW: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common');
  const { sizes, runs, say } = o;
  say('Generating payloads...');
  const mono = await Payload.create(join(o.tmp, 'monolithic.bin'), sizes.monolithic);
  const chunked = await Payload.create(join(o.tmp, 'chunked.bin'), sizes.chunked);
  const small = await Payload.create(join(o.tmp, 'warmup.bin'), 4 * MiB);

  const t0 = Date.now();
  const rgw = await startRgw(o.tmp);
  const radosgwPid = rgw.pids[0]!;
  say(`Ceph RGW:      ${rgw.endpoint} (single node, memstore OSD; up in ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  // Filled as they start, so that a failed start still stops the ones already running.
  const states = new Map<S3SideId, ServerState>();
  try {
    await startServers(o, rgw, states);
    const failures: string[] = [];
    const list = [...states.entries()];
    for (const [, s] of list) await warmUp(s, small);
    const peaks: S3Result['peakAfterWorkloadMB'] = Object.fromEntries(list.map(([id, s]) => [id, { 'after start + warm-up': mb(memory(s.server.pid).peakMiB) }]));
    const rows: S3Row[] = [];

    for (const w of workloads(sizes, mono, chunked).filter((w) => S3_WORKLOADS.includes(w.id))) {
      say(`\n${w.title}`);
      const sampled = await sampleWorkload(w, list.map(([, s]) => s), runs, { say, failures });
      const sides = new Map(list.map(([id], i) => [id, sampled[i]!]));
      rows.push(summarizeS3(w, Object.fromEntries(S3_SIDES.map((id) => [id, sides.get(id) ?? null])) as Record<S3SideId, Side | null>));
      for (const [id, s] of list) peaks[id]![w.id] = mb(memory(s.server.pid).peakMiB);
    }

    const peakOf = (id: S3SideId) => {
      const s = states.get(id);
      return s ? mb(memory(s.server.pid).peakMiB) : null;
    };
    const result: S3Result = {
      sizes,
      rows,
      memory: { berthS3: peakOf('berthS3'), berthFs: peakOf('berthFs'), registryS3: peakOf('registryS3') },
      peakAfterWorkloadMB: peaks,
      radosgwPeakMB: mb(memory(radosgwPid).peakMiB),
      servers: Object.fromEntries(list.map(([id, s]) => [id, { command: s.server.command, notes: [...s.notes] }])),
    };
    say('');
    for (const [id, s] of list) {
      say(`peak RSS of ${s.server.name} (MB) after: ${Object.entries(peaks[id]!).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
    }
    return { result, failures };
  } finally {
    for (const s of states.values()) await s.server.stop();
    await rgw.stop();
  }
}
