import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** Debian's registry:2 binary. */
export const REGISTRY2_BIN = 'docker-registry';

/** A `docker-registry serve` child process on a free loopback port. */
export interface RunningRegistry2 {
  url: string;
  /** host:port, as clients name the registry. */
  host: string;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds; resolves when it is gone. */
  stop(): Promise<void>;
  /** SIGKILL (a crash); resolves when it is gone. */
  kill(): Promise<void>;
}

/** True when `docker-registry` is installed. */
export function hasRegistry2(): boolean {
  return spawnSync('sh', ['-c', `command -v ${REGISTRY2_BIN}`]).status === 0;
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned; callers retry on a clash). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

/**
 * registry:2's config.yml for a filesystem store at `dataDir`, deletes on, quiet logs.
 * `blobDescriptorCache` adds the in-memory cache the official image ships (for fair benchmarks).
 */
export function registry2Config(
  dataDir: string,
  port: number,
  opts: { blobDescriptorCache?: boolean; deleteEnabled?: boolean; tls?: { certificate: string; key: string }; htpasswd?: string; secret?: string } = {},
): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    ...(opts.blobDescriptorCache ? ['  cache:', '    blobdescriptor: inmemory'] : []),
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(resolve(dataDir))}`,
    '  delete:',
    `    enabled: ${opts.deleteEnabled ?? true}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    // One secret for every run on this folder, so nothing depends on the random one it generates.
    `  secret: ${opts.secret ?? 'berth-interop-test'}`,
    ...(opts.tls ? ['  tls:', `    certificate: ${JSON.stringify(opts.tls.certificate)}`, `    key: ${JSON.stringify(opts.tls.key)}`] : []),
    ...(opts.htpasswd ? ['auth:', '  htpasswd:', '    realm: Registry', `    path: ${JSON.stringify(opts.htpasswd)}`] : []),
    '',
  ].join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForPing(url: string, proc: ChildProcess, deadline: number, auth: boolean): Promise<boolean> {
  while (Date.now() < deadline && proc.exitCode === null && proc.signalCode === null) {
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      // With htpasswd auth the base answers 401 once it listens.
      if (res.status === 200 || (auth && res.status === 401)) return true;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  return false;
}

async function startOnce(dataDir: string, configDir: string, opts: { htpasswd?: string }): Promise<RunningRegistry2 | null> {
  const port = await freePort();
  const configFile = join(configDir, `registry2-${port}.yml`);
  writeFileSync(configFile, registry2Config(dataDir, port, { htpasswd: opts.htpasswd }));
  // REGISTRY_* variables would override the config; keep the run hermetic.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  const proc = spawn(REGISTRY2_BIN, ['serve', configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((res) => proc.on('exit', () => res()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const kill = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  };
  if (await waitForPing(url, proc, Date.now() + 20_000, opts.htpasswd !== undefined)) {
    return { url, host: url.replace('http://', ''), dataDir, proc, output: () => out, stop, kill };
  }
  await stop();
  if (/address already in use/.test(out)) return null;
  throw new Error(`docker-registry did not start:\n${out}`);
}

/**
 * Runs registry:2's offline garbage collector over `dataDir` (`docker-registry garbage-collect
 * CONFIG.yml [flags]`) with the registry stopped; resolves its output, rejects on a non-zero exit.
 */
export function registry2GarbageCollect(dataDir: string, configDir: string, flags: string[] = []): Promise<string> {
  const configFile = join(configDir, 'registry2-gc.yml');
  writeFileSync(configFile, registry2Config(dataDir, 0));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  return new Promise((res, rej) => {
    const proc = spawn(REGISTRY2_BIN, ['garbage-collect', ...flags, configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) res(out);
      else rej(new Error(`docker-registry garbage-collect exited with ${code}:\n${out}`));
    });
  });
}

/**
 * Starts `docker-registry serve CONFIG.yml` over `dataDir` (its `rootdirectory`) on a free
 * 127.0.0.1 port and waits until `/v2/` answers. The config file is written into `configDir`.
 * `htpasswd` names a bcrypt htpasswd file: the registry then asks every client to log in.
 */
export async function startRegistry2(dataDir: string, configDir: string, opts: { htpasswd?: string } = {}): Promise<RunningRegistry2> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await startOnce(dataDir, configDir, opts);
    if (r) return r;
  }
  throw new Error('docker-registry: no free port after 3 attempts');
}
