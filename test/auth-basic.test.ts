import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, tempDir, type RunningBerth } from './helpers/berth-server';
import { buildTestImages, digestOf, ToolError, type TestImages } from './helpers/images';

// htpasswd Basic auth (registry:2's auth.htpasswd) in front of /v2, with a file made by Apache's own
// `htpasswd -B`, real skopeo pushes and pulls with credentials, and hand edits of the file taking
// effect while the server runs.

const REALM = 'Berth "Test" Realm';

let tmp: ReturnType<typeof tempDir>;
let berth: RunningBerth;
let images: TestImages;
let htpasswdFile: string;
let n = 0;
const fresh = (name: string) => join(tmp.dir, `${name}-${++n}`);
const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const skopeo = (args: string[]) => images.sandbox.skopeo(args);

/** Polls `fn` every 200 ms for at most `ms` until it returns true. */
async function eventually(fn: () => Promise<boolean>, ms = 8000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return fn();
}

const pingStatus = async (user: string, password: string) => (await fetch(`${berth.url}/v2/`, { headers: basic(user, password) })).status;

beforeAll(async () => {
  tmp = tempDir('berth-auth-');
  htpasswdFile = join(tmp.dir, 'htpasswd');
  writeFileSync(htpasswdFile, execFileSync('htpasswd', ['-nbB', 'alice', 'wonderland']));
  const config = join(tmp.dir, 'config.yml');
  writeFileSync(config, `auth:\n  htpasswd:\n    realm: '${REALM}'\n    path: ${htpasswdFile}\n`);
  images = await buildTestImages(join(tmp.dir, 'images'), { randomFileSize: 512 * 1024 });
  berth = await startBerth(join(tmp.dir, 'data'), ['--config', config, '--access-log']);
});

afterAll(async () => {
  await berth?.stop();
  images?.sandbox.cleanup();
  tmp?.cleanup();
});

describe('htpasswd basic auth', () => {
  it('answers 401 UNAUTHORIZED with the Basic challenge without credentials, with a wrong password and for unknown users', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['no credentials', {}],
      ['wrong password', basic('alice', 'looking-glass')],
      ['unknown user', basic('mallory', 'wonderland')],
      ['empty password', basic('alice', '')],
      ['bearer token', { Authorization: 'Bearer abc' }],
    ];
    for (const [desc, headers] of cases) {
      for (const path of ['/v2/', '/v2/_catalog', '/v2/some/repo/tags/list']) {
        const res = await fetch(`${berth.url}${path}`, { headers });
        expect(res.status, `${desc} ${path}`).toBe(401);
        expect(res.headers.get('www-authenticate'), desc).toBe('Basic realm="Berth \\"Test\\" Realm"');
        const body = await res.json();
        expect(body.errors[0].code, desc).toBe('UNAUTHORIZED');
      }
    }
    expect(await pingStatus('alice', 'wonderland')).toBe(200);
  });

  it('lets skopeo push and pull with --dest-creds / --src-creds, and refuses it without', async () => {
    const src = images.layout.descriptor('amd64');
    const ref = `docker://${berth.host}/auth/img:v1`;
    const digestFile = fresh('digest');
    const denied = await skopeo(['copy', '--quiet', '--dest-tls-verify=false', `oci:${images.layout.dir}:amd64`, ref]).then(
      () => null,
      (e: ToolError) => e,
    );
    expect(denied).toBeInstanceOf(ToolError);
    expect(denied!.stderr).toMatch(/unauthorized|authentication required|401/i);

    await skopeo([
      'copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', 'alice:wonderland', '--digestfile', digestFile,
      `oci:${images.layout.dir}:amd64`, ref,
    ]);
    expect(readFileSync(digestFile, 'utf8').trim()).toBe(src.digest);

    const out = fresh('pulled');
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', '--src-creds', 'alice:wonderland', ref, `dir:${out}`]);
    expect(digestOf(readFileSync(join(out, 'manifest.json')))).toBe(src.digest);
    for (const d of images.layout.reachable('amd64').filter((x) => x !== src.digest)) {
      expect(readFileSync(join(out, d.split(':')[1]!)).equals(images.layout.blob(d))).toBe(true);
    }

    const wrong = await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', 'alice:nope', ref]).then(
      () => null,
      (e: ToolError) => e,
    );
    expect(wrong).toBeInstanceOf(ToolError);
  });

  it('logs the user in the access log and never the password or the Authorization header', async () => {
    await fetch(`${berth.url}/v2/_catalog`, { headers: basic('alice', 'wonderland') });
    await fetch(`${berth.url}/v2/_catalog`, { headers: basic('alice', 'bad-secret-xyz') });
    const ok = await eventually(async () => /ACCESS .* alice "GET \/v2\/_catalog" 200/.test(berth.output()), 3000);
    expect(ok, berth.output()).toBe(true);
    const log = berth.output();
    expect(log).not.toContain('wonderland');
    expect(log).not.toContain('bad-secret-xyz');
    expect(log).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    expect(log).not.toMatch(/authorization:/i);
  });

  it('takes edits of the htpasswd file into account without a restart', async () => {
    expect(await pingStatus('bob', 'builder')).toBe(401);
    // Add a user the way an admin does, in place.
    execFileSync('htpasswd', ['-bB', htpasswdFile, 'bob', 'builder'], { stdio: 'ignore' });
    expect(await eventually(async () => (await pingStatus('bob', 'builder')) === 200)).toBe(true);
    await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', 'bob:builder', `docker://${berth.host}/auth/img:v1`]);

    // Removing a user revokes access, even though alice's password was just verified (and cached).
    expect(await pingStatus('alice', 'wonderland')).toBe(200);
    execFileSync('htpasswd', ['-D', htpasswdFile, 'alice'], { stdio: 'ignore' });
    expect(await eventually(async () => (await pingStatus('alice', 'wonderland')) === 401)).toBe(true);
    expect(await pingStatus('bob', 'builder')).toBe(200);
  });
});
