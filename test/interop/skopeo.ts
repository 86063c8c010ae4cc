import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs `skopeo ARGS` in a private mount namespace with a tmpfs over its blob-info cache, so the
 * test neither reads nor leaves state in /var/lib/containers. `tmp` is skopeo's --tmpdir.
 * Resolves stdout; rejects with stderr on a non-zero exit or after `timeoutMs`.
 */
export function skopeo(args: string[], tmp: string, timeoutMs = 120_000): Promise<string> {
  const quoted = ['skopeo', '--tmpdir', tmp, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `mkdir -p /var/lib/containers/cache && mount -t tmpfs tmpfs /var/lib/containers/cache && exec ${quoted}`;
  // An empty auth file: never the host's credentials (buildah/skopeo refuse a missing one).
  const auth = join(tmp, 'auth.json');
  if (!existsSync(auth)) writeFileSync(auth, '{}');
  return new Promise((res, rej) => {
    const p = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REGISTRY_AUTH_FILE: auth },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) res(out);
      else rej(new Error(`skopeo ${args.join(' ')} failed (${code ?? signal}):\n${err}`));
    });
  });
}

/** `skopeo copy` between two references with plain HTTP on both sides. */
export function skopeoCopy(src: string, dst: string, tmp: string, extra: string[] = []): Promise<string> {
  return skopeo(['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', ...extra, src, dst], tmp);
}
