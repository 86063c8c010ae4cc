import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/berth-server';
import { pushRandomImage } from './helpers/push';

// The installed `berth` command: bin/berth.mjs running the esbuild bundle of the CLI, as a user who
// ran `npm run build:cli` (or got it from `npm pack`, whose prepack builds it) would run it.

const ROOT = resolve(import.meta.dirname, '..');
const tmp = tempDir('berth-bin-');
afterAll(() => tmp.cleanup());

/**
 * Builds the CLI, runs `bin/berth.mjs serve ARGS` and waits for the URL it prints; `run` gets the URL
 * and the output so far. Stops it with SIGTERM afterwards and expects exit code 0.
 */
async function withBuiltServe(args: string[], run: (url: string, output: () => string, proc: ChildProcess) => Promise<void>): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'build/build-cli.mjs')], { cwd: ROOT, stdio: 'pipe' });
  const proc = spawn(join(ROOT, 'bin/berth.mjs'), ['serve', '--listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    await run(url, () => out, proc);
  } finally {
    proc.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}

/** Waits until the output so far matches `re` (the lines after the URL may arrive a moment later). */
async function printedLine(output: () => string, proc: ChildProcess, re: RegExp): Promise<void> {
  while (!re.test(output())) {
    if (proc.exitCode !== null) throw new Error(`exited before printing ${re}:\n${output()}`);
    await Promise.race([once(proc.stdout!, 'data'), once(proc, 'exit')]);
  }
}

describe('bin/berth.mjs', () => {
  it('runs the built CLI: serves, pushes work, SIGTERM exits 0', () =>
    withBuiltServe(['--data', join(tmp.dir, 'data'), '--auth', 'none'], async (url) => {
      const image = await pushRandomImage(url, 'bin/smoke', 'v1');
      const res = await fetch(`${url}/v2/bin/smoke/manifests/v1`, { method: 'HEAD' });
      expect(res.headers.get('docker-content-digest')).toBe(image.digest);
    }));

  it('checks Basic logins on the password-check thread the build emits beside the CLI', () =>
    withBuiltServe(['--data', join(tmp.dir, 'basic'), '--auth', 'basic'], async (url, output) => {
      expect(existsSync(join(ROOT, 'out/cli/bcrypt-worker.js'))).toBe(true);
      const password = /password: (\S+)/.exec(output())?.[1];
      expect(password, output()).toBeDefined();
      const ping = (pw: string) => fetch(`${url}/v2/`, { headers: { Authorization: `Basic ${Buffer.from(`admin:${pw}`).toString('base64')}` } });
      expect((await ping('wrong-password')).status).toBe(401);
      expect((await ping(password!)).status).toBe(200);
      expect(output()).toContain('auth: failed login for user "admin" from 127.0.0.1');
      expect(output()).not.toMatch(/password check thread/);
    }));

  it('serves the GUI the build wrote into out/cli/gui, without building it at start', () =>
    withBuiltServe(['--data', join(tmp.dir, 'gui'), '--auth', 'none'], async (url, output, proc) => {
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<div id="root">');
      expect(html).toBe(readFileSync(join(ROOT, 'out/cli/gui/index.html'), 'utf8'));
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      expect((await fetch(`${url}/${script}`)).status).toBe(200);
      await printedLine(output, proc, /Berth UI: http:\/\/127\.0\.0\.1:\d+\/#token=/);
      expect(output()).not.toContain('building the GUI');
    }));

  it('prints usage for --help', () => {
    const help = execFileSync(join(ROOT, 'bin/berth.mjs'), ['--help'], { encoding: 'utf8' });
    expect(help).toMatch(/serve/);
    expect(help).toMatch(/reindex/);
  });
});
