import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/berth-server';
import { pushRandomImage } from './helpers/push';

// The installed `berth` command: bin/berth.mjs running the esbuild bundle of the CLI, as a user who
// ran `npm run build:cli` (or got it from `npm pack`, whose prepack builds it) would run it.

const ROOT = resolve(import.meta.dirname, '..');
const tmp = tempDir('berth-bin-');
afterAll(() => tmp.cleanup());

describe('bin/berth.mjs', () => {
  it('runs the built CLI: serves, pushes work, SIGTERM exits 0', async () => {
    execFileSync(process.execPath, [join(ROOT, 'build/build-cli.mjs')], { cwd: ROOT, stdio: 'pipe' });
    const proc = spawn(join(ROOT, 'bin/berth.mjs'), ['serve', '--data', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0', '--auth', 'none'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
    try {
      const url = await new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no URL printed:\n${out}`)), 30_000);
        proc.stdout.on('data', () => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            res(m[1]!);
          }
        });
      });
      const image = await pushRandomImage(url, 'bin/smoke', 'v1');
      const res = await fetch(`${url}/v2/bin/smoke/manifests/v1`, { method: 'HEAD' });
      expect(res.headers.get('docker-content-digest')).toBe(image.digest);
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('checks Basic logins on the password-check thread the build emits beside the CLI', async () => {
    execFileSync(process.execPath, [join(ROOT, 'build/build-cli.mjs')], { cwd: ROOT, stdio: 'pipe' });
    expect(existsSync(join(ROOT, 'out/cli/bcrypt-worker.js'))).toBe(true);
    const proc = spawn(join(ROOT, 'bin/berth.mjs'), ['serve', '--data', join(tmp.dir, 'basic'), '--listen', '127.0.0.1:0', '--auth', 'basic'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
    try {
      const url = await new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no URL printed:\n${out}`)), 30_000);
        proc.stdout.on('data', () => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            res(m[1]!);
          }
        });
      });
      const password = /password: (\S+)/.exec(out)?.[1];
      expect(password, out).toBeDefined();
      const ping = (pw: string) => fetch(`${url}/v2/`, { headers: { Authorization: `Basic ${Buffer.from(`admin:${pw}`).toString('base64')}` } });
      expect((await ping('wrong-password')).status).toBe(401);
      expect((await ping(password!)).status).toBe(200);
      expect(out).toContain('auth: failed login for user "admin" from 127.0.0.1');
      expect(out).not.toMatch(/password check thread/);
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('prints usage for --help', () => {
    const help = execFileSync(join(ROOT, 'bin/berth.mjs'), ['--help'], { encoding: 'utf8' });
    expect(help).toMatch(/serve/);
    expect(help).toMatch(/reindex/);
  });
});
