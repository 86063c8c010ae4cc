/**
 * Shared parts of the sync tests: a registry:2 (optionally with htpasswd) filled from a hand-written
 * OCI layout through skopeo, reading raw manifests with skopeo, and running the real `berth sync`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { skopeo } from '../interop/skopeo';
import { writeOciLayout, type FixtureImage } from '../interop/oci-fixture';

export const USER = 'alice';
export const PASSWORD = 'sync-secret-1';

/** A registry:2 under `dir`, with htpasswd when `auth`. */
export async function registryWithAuth(dir: string, auth: boolean): Promise<RunningRegistry2> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  let htpasswd: string | undefined;
  if (auth) {
    htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', '-C', '5', USER, PASSWORD]));
  }
  return startRegistry2(join(dir, 'data'), dir, { htpasswd });
}

/** Writes `images` as an OCI layout and pushes each to `host/repo:tag` with skopeo (`--all`). */
export async function pushImages(dir: string, host: string, repo: string, images: FixtureImage[], creds: boolean): Promise<void> {
  const layout = join(dir, `layout-${repo.replace(/\//g, '_')}`);
  writeOciLayout(layout, images);
  const tmp = join(dir, 'skopeo-tmp');
  mkdirSync(tmp, { recursive: true });
  for (const img of images) {
    await skopeo(['copy', '--quiet', '--all', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', `${USER}:${PASSWORD}`] : []), `oci:${layout}:${img.tag}`, `docker://${host}/${repo}:${img.tag}`], tmp);
  }
}

/** The raw manifest at `ref` (`host/repo:tag` or `@digest`), read with skopeo, and its digest. */
export async function rawManifest(dir: string, ref: string, creds: boolean): Promise<{ raw: string; digest: string }> {
  const tmp = join(dir, 'skopeo-tmp');
  mkdirSync(tmp, { recursive: true });
  const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', ...(creds ? ['--creds', `${USER}:${PASSWORD}`] : []), `docker://${ref}`], tmp);
  return { raw, digest: `sha256:${createHash('sha256').update(raw).digest('hex')}` };
}

/** The digests of a manifest's children (an index's entries), or none. */
export function children(raw: string): string[] {
  const m = JSON.parse(raw) as { manifests?: Array<{ digest: string }> };
  return (m.manifests ?? []).map((c) => c.digest);
}

const ROOT = join(import.meta.dirname, '../..');

/** The real CLI, as a child process: `berth ARGS`, its output, and a handle to kill it. */
export function spawnBerth(args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src-server/cli.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => {
    stderr += d;
    for (const l of listeners) l();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.on('close', (code, signal) => res({ code, signal })));
  return {
    proc,
    done,
    stdout: () => stdout,
    stderr: () => stderr,
    /** Resolves once stderr satisfies `test` (or rejects when the process ends first). */
    waitForStderr(test: (s: string) => boolean): Promise<void> {
      return new Promise((res, rej) => {
        const check = () => {
          if (test(stderr)) {
            listeners.delete(check);
            res();
          }
        };
        listeners.add(check);
        void done.then(() => {
          if (!test(stderr)) rej(new Error(`berth ended before the output came:\n${stderr}`));
        });
        check();
      });
    },
  };
}

/** Runs `berth ARGS` to its end. */
export async function berth(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const b = spawnBerth(args, env);
  const { code } = await b.done;
  return { code, stdout: b.stdout(), stderr: b.stderr() };
}
