/**
 * A real S3 store for tests: a single-node Ceph cluster (one mon, one memstore OSD, radosgw; no mgr,
 * no keyrings, auth none) started from Debian's packages, entirely under one directory, on loopback.
 * The recipe and its quirks are in ../shared/TESTING-NOTES.md ("A real S3 store").
 *
 * Every port is chosen per cluster (the mon's two addresses and the OSD's `ms bind port` range from
 * one free block below the kernel's ephemeral range, radosgw on a `freePort`), so test files running
 * in parallel each get their own cluster; a clash on a port is retried with another block.
 */
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { listening } from './net';
import { freePort } from './registry2';

/** A running cluster's S3 endpoint and credentials. */
export interface RunningRgw {
  /** `http://127.0.0.1:PORT` (path-style addressing). */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  /** Any region works for RGW; this is the one the cluster's zonegroup answers to. */
  region: 'us-east-1';
  /** Process ids of radosgw, the OSD and the mon (to measure them, or to check they are gone). */
  pids: number[];
  /** Creates a bucket (3+ characters, RGW's rule). */
  createBucket(name: string): Promise<void>;
  /** Stops radosgw, the OSD and the mon in that order (killed if they linger) and removes the cluster's files. */
  stop(): Promise<void>;
}

/** Binaries the cluster needs (Debian: ceph-mon ceph-osd radosgw ceph-common). */
const BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'monmaptool'];

/** True when the Ceph binaries are installed (radosgw, ceph-mon and the tools the start uses). */
export function rgwAvailable(): boolean {
  return spawnSync('sh', ['-c', BINARIES.map((b) => `command -v ${b}`).join(' && ')], { stdio: 'ignore' }).status === 0;
}

/** How long a cluster may take to come up (it usually needs about 12 s). */
const START_TIMEOUT_MS = 60_000;
/** Ports per cluster: mon v2, mon v1, then the OSD's bind range (it takes 8). */
const BLOCK = 16;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A block of `count` consecutive ports, all free at the time of asking, below the ephemeral range
 * (32768+) so that no outgoing connection is handed one of them by the kernel meanwhile.
 */
async function freePortBlock(count: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<Server | null>((res) => {
      const srv = createServer();
      srv.once('error', () => res(null));
      srv.listen(port, '127.0.0.1', () => res(srv));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * ((32_000 - 20_000) / count)) * count;
    const held: Server[] = [];
    for (let p = base; p < base + count; p++) {
      const srv = await tryListen(p);
      if (!srv) break;
      held.push(srv);
    }
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    if (held.length === count) return base;
  }
  throw new Error(`no ${count} free consecutive ports between 20000 and 32000`);
}

function cephConf(home: string, fsid: string, monPort: number, rgwPort: number): string {
  const mon = `[v2:127.0.0.1:${monPort},v1:127.0.0.1:${monPort + 1}]`;
  return [
    '[global]',
    `fsid = ${fsid}`,
    `mon host = ${mon}`,
    'public addr = 127.0.0.1',
    'cluster addr = 127.0.0.1',
    'auth cluster required = none',
    'auth service required = none',
    'auth client required = none',
    // Without it radosgw loops on "get_initial_auth_request returned -13" and never listens.
    'ms mon client mode = crc',
    'keyring = /dev/null',
    `run dir = ${home}/run`,
    // No admin sockets: nothing here uses them, and a long test directory would overflow a socket path.
    'admin socket =',
    `log file = ${home}/log/$name.log`,
    `mon data = ${home}/mon/$name`,
    `osd data = ${home}/osd/$name`,
    `rgw data = ${home}/rgw/$name`,
    'osd objectstore = memstore',
    // A cap on RAM, not an allocation: objects live in memory and vanish with the OSD.
    `memstore device bytes = ${4 * 1024 ** 3}`,
    'osd pool default size = 1',
    'osd pool default min size = 1',
    'osd pool default pg num = 8',
    'osd pool default pgp num = 8',
    'osd crush chooseleaf type = 0',
    'mon allow pool size one = true',
    'mon warn on pool no redundancy = false',
    'mon max pg per osd = 1000',
    'mon data avail crit = 0',
    '[osd]',
    `ms bind port min = ${monPort + 2}`,
    `ms bind port max = ${monPort + BLOCK - 1}`,
    '[client.rgw.a]',
    `rgw frontends = beast endpoint=127.0.0.1:${rgwPort}`,
    '',
  ].join('\n');
}

/** The environment for Ceph's tools: CEPH_* variables could point them at another cluster. */
function cephEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CEPH_')));
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { env: cephEnv(), timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else res(stdout);
    });
  });
}

/** A daemon in the foreground (-f), its stderr kept for failure reports. */
interface Daemon {
  name: string;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

function daemon(name: string, cmd: string, args: string[]): Daemon {
  const proc = spawn(cmd, args, { env: cephEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  return { name, proc, output: () => out, exited };
}

const alive = (d: Daemon) => d.proc.exitCode === null && d.proc.signalCode === null;

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
async function stopDaemon(d: Daemon, graceMs = 10_000): Promise<void> {
  if (!alive(d)) return;
  d.proc.kill('SIGTERM');
  const timer = setTimeout(() => d.proc.kill('SIGKILL'), graceMs);
  await d.exited;
  clearTimeout(timer);
}

/** Daemons of every cluster of this process, killed if the test process exits without stopping them. */
const everyDaemon = new Set<Daemon>();
let exitHook = false;

/** The last lines of each daemon's log file and output, for a failure message. */
function logTail(home: string, daemons: Daemon[]): string {
  const parts: string[] = [];
  const logDir = join(home, 'log');
  for (const f of existsSync(logDir) ? readdirSync(logDir) : []) {
    const text = readFileSync(join(logDir, f), 'utf8').trimEnd();
    if (!text) continue;
    const lines = text.split('\n');
    parts.push(`--- ${f}\n${lines.slice(-15).join('\n')}`);
  }
  for (const d of daemons) if (d.output().trim()) parts.push(`--- ${d.name} output\n${d.output().trimEnd().split('\n').slice(-15).join('\n')}`);
  return parts.join('\n');
}

async function waitFor(what: string, deadline: number, check: () => Promise<boolean>, daemons: Daemon[]): Promise<void> {
  while (Date.now() < deadline) {
    const dead = daemons.find((d) => !alive(d));
    if (dead) throw new Error(`${dead.name} exited (${dead.proc.exitCode ?? dead.proc.signalCode}) while waiting for ${what}`);
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`${what}: not ready within ${START_TIMEOUT_MS / 1000} s`);
}

async function startOnce(dir: string): Promise<RunningRgw> {
  const home = mkdtempSync(join(dir, 'rgw-'));
  const daemons: Daemon[] = [];
  let client: S3Client | undefined;
  const stop = async () => {
    client?.destroy();
    // rgw first, then the OSD while the mon still hears it say goodbye (else it waits 5 s), then the mon.
    for (const d of [...daemons].reverse()) {
      await stopDaemon(d);
      everyDaemon.delete(d);
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const monPort = await freePortBlock(BLOCK);
    const rgwPort = await freePort();
    const fsid = randomUUID();
    const conf = join(home, 'ceph.conf');
    for (const sub of ['run', 'log', 'mon', 'osd/osd.0', 'rgw/client.rgw.a']) mkdirSync(join(home, sub), { recursive: true });
    writeFileSync(conf, cephConf(home, fsid, monPort, rgwPort));
    const deadline = Date.now() + START_TIMEOUT_MS;
    const left = () => Math.max(1000, deadline - Date.now());
    const monmap = join(home, 'monmap');
    await run('monmaptool', ['-c', conf, '--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort},v1:127.0.0.1:${monPort + 1}]`, monmap], left());
    await run('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', monmap], left());
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => everyDaemon.forEach((d) => alive(d) && d.proc.kill('SIGKILL')));
    }
    const track = (d: Daemon) => (daemons.push(d), everyDaemon.add(d), d);
    track(daemon('ceph-mon', 'ceph-mon', ['-c', conf, '-i', 'a', '-f']));
    const osdUuid = randomUUID();
    // `ceph` waits for the mon itself (connect timeout), so no separate poll is needed.
    const id = (await run('ceph', ['-c', conf, '--connect-timeout', String(Math.ceil(left() / 1000)), 'osd', 'new', osdUuid], left())).trim();
    if (id !== '0') throw new Error(`ceph osd new: expected id 0, got "${id}"`);
    await run('ceph-osd', ['-c', conf, '-i', id, '--mkfs', '--osd-uuid', osdUuid], left());
    track(daemon('ceph-osd', 'ceph-osd', ['-c', conf, '-i', id, '-f']));
    track(daemon('radosgw', 'radosgw', ['-c', conf, '-n', 'client.rgw.a', '-f']));
    await waitFor('radosgw listening', deadline, () => listening(rgwPort), daemons);
    const accessKey = randomBytes(10).toString('hex').toUpperCase();
    const secretKey = randomBytes(20).toString('base64url');
    await run('radosgw-admin', ['-c', conf, '-n', 'client.rgw.a', 'user', 'create', '--uid=berth-test', '--display-name=Berth tests', `--access-key=${accessKey}`, `--secret-key=${secretKey}`], left());
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    const region = 'us-east-1' as const;
    client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId: accessKey, secretAccessKey: secretKey } });
    const s3 = client;
    // The user reaches radosgw through its metadata cache: ready once a signed request is accepted.
    await waitFor('an S3 request to radosgw', deadline, () => s3.send(new ListBucketsCommand({})).then(() => true, () => false), daemons);
    return {
      endpoint,
      accessKey,
      secretKey,
      region,
      pids: daemons.map((d) => d.proc.pid!).reverse(),
      createBucket: async (name) => {
        await s3.send(new CreateBucketCommand({ Bucket: name }));
      },
      stop,
    };
  } catch (err) {
    const detail = `${(err as Error).message}\n${logTail(home, daemons)}`;
    await stop();
    throw new Error(`Ceph RGW did not start under ${home}: ${detail}`);
  }
}

/**
 * Starts a single-node Ceph cluster with radosgw under a new folder of `dir` (removed again by
 * `stop`), on loopback ports of its own, and an S3 user. Fails with the cluster's log tail when it
 * is not serving S3 within 60 s. Needs `rgwAvailable()`.
 */
export async function startRgw(dir: string): Promise<RunningRgw> {
  let last: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(dir);
    } catch (err) {
      last = err as Error;
      // Only a port taken between choosing it and binding it is worth another try.
      if (!/Address already in use|unable to bind|bind.*failed/i.test(last.message)) throw last;
    }
  }
  throw last!;
}
