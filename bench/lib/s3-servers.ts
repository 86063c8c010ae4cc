import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { RunningRgw } from '../../test/helpers/rgw';
import { freePort } from '../../test/helpers/registry2';
import { request } from './http';
import type { Server } from './servers';

/** Where a server keeps its content on the RGW. */
export interface S3Place {
  bucket: string;
  /** Key prefix (`rootdirectory`), without slashes. */
  root: string;
}

/**
 * `storage.s3` lines (registry:2's keys, read by Berth with the same meaning); chunksize left at its
 * 10 MiB default. `endpoint` is the RGW's URL, or its host:port (http, as `secure: false` says).
 */
function s3Lines(rgw: RunningRgw, place: S3Place, endpoint: string): string[] {
  return [
    '  s3:',
    `    region: ${rgw.region}`,
    `    regionendpoint: ${endpoint}`,
    `    bucket: ${place.bucket}`,
    `    accesskey: ${rgw.accessKey}`,
    `    secretkey: ${rgw.secretKey}`,
    `    rootdirectory: /${place.root}`,
    '    secure: false',
  ];
}

/**
 * Berth's config file for the bench: only the storage, so that everything else (logging, the
 * listen address, auth) is what the filesystem Berth gets from its command line.
 */
export function berthS3Config(rgw: RunningRgw, place: S3Place): string {
  // host:port, not http://127.0.0.1:PORT: Berth logs its endpoint at start, and servers.ts takes the
  // first http://127.0.0.1 URL Berth prints as its own address.
  const hostPort = new URL(rgw.endpoint).host;
  return ['version: 0.1', 'storage:', '  delete:', '    enabled: true', ...s3Lines(rgw, place, hostPort), ''].join('\n');
}

/**
 * registry:2's config with its S3 driver: the stock in-memory blob descriptor cache (as the official
 * image ships), no access log, level warn, and blob GETs served through the registry
 * (`redirect.disable`) so that the download compares the two servers, not RGW against Berth.
 */
export function registryS3Config(rgw: RunningRgw, place: S3Place, port: number): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: berth-bench',
    'storage:',
    '  cache:',
    '    blobdescriptor: inmemory',
    '  delete:',
    '    enabled: true',
    '  redirect:',
    '    disable: true',
    ...s3Lines(rgw, place, rgw.endpoint),
    '',
  ].join('\n');
}

/**
 * Starts `docker-registry serve` with its S3 driver on `rgw`, on a free loopback port, and waits
 * for /v2/. Its environment has neither AWS_CA_BUNDLE (registry:2's S3 driver panics on this
 * machine's) nor REGISTRY_* (they would override the file).
 */
export async function startRegistryOnS3(rgw: RunningRgw, place: S3Place, configPath: string): Promise<Server> {
  const port = await freePort();
  writeFileSync(configPath, registryS3Config(rgw, place, port));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_') && k !== 'AWS_CA_BUNDLE'));
  const proc = spawn('docker-registry', ['serve', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-16_384));
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise<void>((res) => proc.on('exit', () => res()));
  const gone = () => proc.exitCode !== null || proc.signalCode !== null;
  const stop = async () => {
    if (gone()) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone()) throw new Error(`docker-registry on S3 exited with ${proc.exitCode ?? proc.signalCode}:\n${out}`);
    const ok = await request(`${url}/v2/`, 'GET', { timeoutMs: 2_000 }).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry on S3 did not answer in 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { id: 'registry', name: 'registry:2 S3', url, pid: proc.pid!, command: 'docker-registry serve (storage.s3)', output: () => out, stop };
}
