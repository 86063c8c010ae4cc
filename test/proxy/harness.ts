/**
 * Shared parts of the pull-through cache tests: an upstream `berth serve` with users (Basic or
 * token auth), a cache `berth serve` configured with `proxy.*` in a YAML file, skopeo pulls into
 * `dir:` copies, and the cache's origin records read from its data directory once it stopped.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OriginStore } from '../../src-server/index/origin-store';
import { BERTH_DIR } from '../../src-server/storage/layout';
import { corruptBlobs, readDirImage, type DirImage } from '../clients/dir-image';
import { startBerth, type RunningBerth } from '../helpers/berth-server';
import { digestOf, type ContainersSandbox } from '../helpers/images';

/** The upstream's user, as the cache logs in. */
export const UP_USER = 'mirror';
export const UP_PASSWORD = 'mirror-pw';

/** Starts a `berth serve` upstream whose htpasswd holds UP_USER, in Basic or token mode. */
export async function startUpstream(dir: string, mode: 'basic' | 'token'): Promise<RunningBerth> {
  mkdirSync(dir, { recursive: true });
  const htpasswd = join(dir, 'htpasswd');
  writeFileSync(htpasswd, execFileSync('htpasswd', ['-nbB', '-C', '5', UP_USER, UP_PASSWORD]));
  const config = join(dir, 'upstream.yml');
  writeFileSync(config, `auth:\n  htpasswd:\n    realm: Upstream\n    path: ${JSON.stringify(htpasswd)}\n`);
  return startBerth(join(dir, 'data'), ['--config', config, ...(mode === 'token' ? ['--auth', 'token'] : [])]);
}

/** The `proxy` section of a cache's config. */
export interface CacheProxy {
  remoteurl: string;
  username?: string;
  password?: string;
  tagttl?: string;
}

/** Starts a `berth serve` pull-through cache (no auth of its own: loopback, as registry:2's config means). */
export function startCache(dir: string, proxy: CacheProxy): Promise<RunningBerth> {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'cache.yml');
  const lines = Object.entries(proxy).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  writeFileSync(config, ['proxy:', ...lines, ''].join('\n'));
  return startBerth(join(dir, 'data'), ['--config', config, '--log-level', 'debug']);
}

let pulls = 0;

/** `skopeo copy` from a registry (plain HTTP, no credentials) into a fresh `dir:`; checks every blob. */
export async function pull(sandbox: ContainersSandbox, host: string, ref: string, outRoot: string, extra: string[] = []): Promise<DirImage & { digest: string }> {
  const out = join(outRoot, `pull-${++pulls}`);
  await sandbox.skopeo(['copy', '--quiet', '--src-tls-verify=false', '--src-no-creds', ...extra, `docker://${host}/${ref}`, `dir:${out}`]);
  const img = readDirImage(out);
  const bad = corruptBlobs(img);
  if (bad.length) throw new Error(`corrupt blobs in ${out}: ${bad.join(', ')}`);
  return { ...img, digest: digestOf(img.manifest) };
}

/** `skopeo copy` of an OCI layout's tag into a registry, with credentials when given. */
export function push(sandbox: ContainersSandbox, layoutDir: string, host: string, ref: string, creds?: string, extra: string[] = []): Promise<unknown> {
  const auth = creds ? ['--dest-creds', creds] : ['--dest-no-creds'];
  return sandbox.skopeo(['copy', '--quiet', '--dest-tls-verify=false', ...auth, ...extra, `oci:${layoutDir}:latest`, `docker://${host}/${ref}`]);
}

/** Reads the origin records of a stopped Berth's data directory. */
export function withOrigins<T>(dataDir: string, fn: (o: OriginStore) => T): T {
  const store = new OriginStore(join(dataDir, BERTH_DIR, 'origins.db'));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** Upload folders left in a repository of a data directory. */
export function leftoverUploads(dataDir: string, repo: string): string[] {
  try {
    return readdirSync(join(dataDir, 'docker/registry/v2/repositories', repo, '_uploads'));
  } catch {
    return [];
  }
}

/** The `{errors:[...]}` body of a registry answer. */
export async function errorOf(res: Response): Promise<{ code: string; message: string; detail: unknown }> {
  const body = (await res.json()) as { errors: Array<{ code: string; message: string; detail: unknown }> };
  return body.errors[0]!;
}
