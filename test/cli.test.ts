import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListingCache, listingCachePath } from '../src-server/contents/listing-cache';
import { runBerth, spawnServe as spawnBerthServe, startBerth, tempDir, type RunningBerth } from './helpers/berth-server';
import { printed } from './helpers/output';
import { pushRandomImage } from './helpers/push';

// The real `berth` CLI as a child process: serve (URL line, signals, graceful drain), data
// directory resolution, registry:2 config files and REGISTRY_* variables, HTTPS, start-up errors,
// and reindex.


let tmp: ReturnType<typeof tempDir>;
let n = 0;
const fresh = (name: string) => join(tmp.dir, `${name}-${++n}`);
const repoDir = (dataDir: string, repo: string) => join(dataDir, 'docker/registry/v2/repositories', repo);

const running: RunningBerth[] = [];

/** `berth ARGS`, remembered so that afterAll stops whatever a failed test left running. */
async function spawnServe(args: string[], env: NodeJS.ProcessEnv): Promise<RunningBerth> {
  const served = await spawnBerthServe(args, env);
  running.push(served);
  return served;
}

/** `berth serve --data DIR --listen 127.0.0.1:0 [extra]`. */
const serveOn = (dataDir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  spawnServe(['serve', '--data', dataDir, '--listen', '127.0.0.1:0', ...(extra.includes('--auth') ? [] : ['--auth', 'none']), ...extra], env);

/** Waits (at most 15 s) until a file holds at least `size` bytes. */
async function waitForSize(path: string, size: number): Promise<void> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if (existsSync(path) && statSync(path).size >= size) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} never reached ${size} bytes`);
}

/** GET over https trusting only `ca`. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = httpsRequest(url, { ca, agent: false }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => res({ status: r.statusCode!, body }));
    });
    req.on('error', rej);
    req.end();
  });
}

function writeConfig(yaml: string): string {
  const file = fresh('config') + '.yml';
  writeFileSync(file, yaml);
  return file;
}

beforeAll(() => {
  tmp = tempDir('berth-cli-');
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  tmp?.cleanup();
});

describe('berth serve', () => {
  it('says in one line when the S3 bucket of storage.s3 cannot be reached, naming the bucket, without the SDK noise', async () => {
    const config = join(tmp.dir, 'unreachable-s3.yml');
    // Port 1 on loopback: nothing listens there.
    writeFileSync(config, 'storage:\n  s3:\n    bucket: nosuch\n    regionendpoint: http://127.0.0.1:1\n    accesskey: k\n    secretkey: s3cr3t\n');
    const r = await runBerth(['serve', '--data', join(tmp.dir, 'data-s3'), '--listen', '127.0.0.1:0', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('berth: cannot open the S3 bucket nosuch at http://127.0.0.1:1 (storage.s3): connect ECONNREFUSED 127.0.0.1:1');
    expect(r.stdout + r.stderr).not.toContain('s3cr3t');
  });

  it('prints one URL line, answers /v2/, and exits 0 promptly on SIGTERM', async () => {
    const berth = await serveOn(fresh('data'));
    const res = await fetch(`${berth.url}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(berth.output().match(/Berth registry listening on/g)).toHaveLength(1);
    const t0 = Date.now();
    expect(await berth.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('exits 0 on SIGINT too', async () => {
    const berth = await serveOn(fresh('data'));
    const exited = new Promise<number | null>((res) => berth.proc.once('exit', (code) => res(code)));
    berth.proc.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('lets a request in flight finish after SIGTERM, then exits 0', async () => {
    const dataDir = fresh('data');
    const berth = await serveOn(dataDir);
    const start = await fetch(`${berth.url}/v2/drain/test/blobs/uploads/`, { method: 'POST' });
    expect(start.status).toBe(202);
    const location = new URL(start.headers.get('location')!, berth.url);
    const uuid = location.pathname.split('/').at(-1)!;
    const uploadData = join(repoDir(dataDir, 'drain/test'), '_uploads', uuid, 'data');
    // More than the upload writer's 1 MiB batch, so part of it reaches the disk while the body is open.
    const first = Buffer.alloc(2 * 1024 * 1024, 7);
    const exited = new Promise<number | null>((res) => berth.proc.once('exit', (code) => res(code)));
    const status = new Promise<number>((res, rej) => {
      const req = httpRequest(location, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' } }, (r) => {
        r.resume();
        r.on('end', () => res(r.statusCode!));
      });
      req.on('error', rej);
      req.write(first);
      // Signal only once the server is really streaming this body: a connection whose request has
      // not arrived yet is idle, and idle connections are closed at once.
      waitForSize(uploadData, 1024 * 1024).then(
        () => {
          berth.proc.kill('SIGTERM');
          // The body is still open when the signal arrives; it ends 500 ms later.
          setTimeout(() => req.end(Buffer.alloc(1000, 8)), 500);
        },
        (err) => {
          req.destroy();
          rej(err);
        },
      );
    });
    expect(await status).toBe(202);
    // No second signal: the first one alone must end the process, cleanly.
    expect(await exited).toBe(0);
  });

  it('uses BERTH_DATA when --data is absent, and --data over BERTH_DATA', async () => {
    const envDir = fresh('berth-data-env');
    const served = await spawnServe(['serve', '--listen', '127.0.0.1:0', '--auth', 'none'], { BERTH_DATA: envDir });
    await pushRandomImage(served.url, 'env/repo', 'v1');
    expect(await served.stop()).toBe(0);
    expect(existsSync(repoDir(envDir, 'env/repo'))).toBe(true);

    const flagDir = fresh('berth-data-flag');
    const berth = await serveOn(flagDir, [], { BERTH_DATA: envDir });
    await pushRandomImage(berth.url, 'flag/repo', 'v1');
    expect(await berth.stop()).toBe(0);
    expect(existsSync(repoDir(flagDir, 'flag/repo'))).toBe(true);
    expect(existsSync(repoDir(envDir, 'flag/repo'))).toBe(false);
  });

  it('defaults the data directory to $XDG_DATA_HOME/berth on Linux', async () => {
    const xdg = fresh('xdg');
    const served = await spawnServe(['serve', '--listen', '127.0.0.1:0', '--auth', 'none'], { BERTH_DATA: '', XDG_DATA_HOME: xdg });
    await pushRandomImage(served.url, 'default/repo', 'v1');
    expect(await served.stop()).toBe(0);
    expect(existsSync(repoDir(join(xdg, 'berth'), 'default/repo'))).toBe(true);
  });

  it('reads a registry:2 config file, with REGISTRY_* over the file and flags over both', async () => {
    const fileDir = fresh('file-root');
    const envDir = fresh('env-root');
    const config = writeConfig(`version: 0.1
log:
  level: info
  fields:
    service: registry
http:
  addr: 127.0.0.1:0
storage:
  filesystem:
    rootdirectory: ${fileDir}
  delete:
    enabled: false
health:
  storagedriver:
    enabled: true
`);
    const served = await spawnServe(['serve', '--config', config], { BERTH_DATA: '', REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: envDir });
    const img = await pushRandomImage(served.url, 'conf/repo', 'v1');
    expect(existsSync(repoDir(envDir, 'conf/repo'))).toBe(true);
    expect(existsSync(repoDir(fileDir, 'conf/repo'))).toBe(false);

    // storage.delete.enabled: false from the file.
    const del = await fetch(`${served.url}/v2/conf/repo/manifests/${img.digest}`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect((await del.json()).errors[0].code).toBe('UNSUPPORTED');
    expect((await fetch(`${served.url}/v2/conf/repo/manifests/v1`, { method: 'HEAD' })).status).toBe(200);

    // Unimplemented keys are named once each, and the server still runs.
    expect(served.output().match(/config key health is not supported/g)).toHaveLength(1);
    expect(served.output().match(/config key log\.fields is not supported/g)).toHaveLength(1);
    expect(await served.stop()).toBe(0);

    // An environment override turns deletes back on; --data beats the environment.
    const flagDir = fresh('flag-root');
    const berth = await serveOn(flagDir, ['--config', config], {
      REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: envDir,
      REGISTRY_STORAGE_DELETE_ENABLED: 'true',
    });
    const img2 = await pushRandomImage(berth.url, 'conf/other', 'v1');
    expect(existsSync(repoDir(flagDir, 'conf/other'))).toBe(true);
    const del2 = await fetch(`${berth.url}/v2/conf/other/manifests/${img2.digest}`, { method: 'DELETE' });
    expect(del2.status).toBe(202);
    expect(await berth.stop()).toBe(0);
  });

  it('serves HTTPS with http.tls from REGISTRY_* variables', async () => {
    const dir = fresh('tls');
    mkdirSync(dir);
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });
    const served = await spawnServe(['serve', '--data', fresh('tls-data'), '--auth', 'none'], {
      REGISTRY_HTTP_ADDR: '127.0.0.1:0',
      REGISTRY_HTTP_TLS_CERTIFICATE: cert,
      REGISTRY_HTTP_TLS_KEY: key,
    });
    expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(cert);
    const ping = await httpsGet(`${served.url}/v2/`, ca);
    expect(ping.status).toBe(200);
    const catalog = await httpsGet(`${served.url}/v2/_catalog`, ca);
    expect(JSON.parse(catalog.body)).toEqual({ repositories: [] });
    // Plain HTTP on the same port is not served.
    await expect(fetch(served.url.replace('https:', 'http:') + '/v2/')).rejects.toThrow();
    expect(await served.stop()).toBe(0);
  });

  it('fails to start with one clear line and a non-zero exit on bad configuration', async () => {
    const data = fresh('bad');
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const busy = (blocker.address() as AddressInfo).port;
    const cases: Array<{ args: string[]; env?: NodeJS.ProcessEnv; err: RegExp }> = [
      { args: ['--config', join(tmp.dir, 'nope.yml')], err: /cannot read config file .*nope\.yml: no such file/ },
      { args: ['--config', writeConfig('http: [oops\n')], err: /invalid YAML/ },
      {
        args: ['--config', writeConfig('proxy:\n  remoteurl: ftp://mirror.example\n')],
        err: /proxy\.remoteurl.*http/,
      },
      { args: [], env: { REGISTRY_STORAGE_DELETE_ENABLED: 'sometimes' }, err: /storage\.delete\.enabled: expected true or false/ },
      { args: [], env: { REGISTRY_HTTP_TRUSTEDPROXIES: '10.0.0.0/33' }, err: /http\.trustedproxies: "10\.0\.0\.0\/33" is not an IP address or CIDR range/ },
      { args: ['--listen', `127.0.0.1:${busy}`], err: new RegExp(`cannot listen on 127\\.0\\.0\\.1:${busy}: address already in use`) },
      { args: ['--listen', 'nonsense'], err: /--listen: invalid listen address/ },
      { args: [], env: { REGISTRY_AUTH_HTPASSWD_PATH: join(tmp.dir, 'no-htpasswd') }, err: /cannot read htpasswd file .*no-htpasswd: no such file/ },
      {
        args: [],
        env: { REGISTRY_HTTP_TLS_CERTIFICATE: join(tmp.dir, 'no.crt'), REGISTRY_HTTP_TLS_KEY: join(tmp.dir, 'no.key') },
        err: /cannot read TLS certificate .*no\.crt/,
      },
    ];
    try {
      const results = await Promise.all(
        cases.map((c) => {
          const listen = c.args.includes('--listen') ? [] : ['--listen', '127.0.0.1:0'];
          // Auth off except where the case is about the htpasswd file itself.
          const auth = c.env?.REGISTRY_AUTH_HTPASSWD_PATH ? [] : ['--auth', 'none'];
          return runBerth(['serve', '--data', data, ...listen, ...auth, ...c.args], { env: c.env });
        }),
      );
      results.forEach((r, i) => {
        const c = cases[i]!;
        expect(r.code, c.err.source).not.toBe(0);
        expect(r.code, c.err.source).not.toBeNull();
        expect(r.stdout, c.err.source).not.toMatch(/listening/);
        const lines = r.stderr.split('\n').filter((l) => l.startsWith('berth: '));
        expect(lines, r.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(c.err);
        // No stack trace reaches the user.
        expect(r.stderr).not.toMatch(/^\s+at /m);
      });
    } finally {
      blocker.close();
    }
  });
});

describe('berth reindex', () => {
  it('rebuilds a deleted index from the disk so catalog and tags come back', async () => {
    const data = fresh('reindex');
    let berth = await startBerth(data);
    await pushRandomImage(berth.url, 'alpha/one', 'v1');
    await pushRandomImage(berth.url, 'alpha/one', 'v2');
    await pushRandomImage(berth.url, 'beta', 'latest');
    await berth.stop();

    const db = join(data, 'berth', 'index.db');
    expect(existsSync(db)).toBe(true);
    for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });

    // BERTH_DATA names the data directory for reindex as for serve.
    const r = await runBerth(['reindex'], { env: { BERTH_DATA: data } });
    expect(r.stderr).not.toMatch(/^berth: /m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 repositories, 3 tags, 3 manifests, 0 warnings/);
    expect(existsSync(db)).toBe(true);

    berth = await startBerth(data);
    const catalog = await (await fetch(`${berth.url}/v2/_catalog`)).json();
    expect(catalog.repositories).toEqual(['alpha/one', 'beta']);
    const tags = await (await fetch(`${berth.url}/v2/alpha/one/tags/list`)).json();
    expect(tags.tags).toEqual(['v1', 'v2']);
    await berth.stop();
  });

  it('drops the cache of layer listings (the database and its WAL files)', async () => {
    const data = fresh('reindex-listings');
    const cache = new ListingCache(listingCachePath(data));
    cache.put('sha256:aa', { entries: [], whiteouts: [], opaque: [], uncompressedSize: 0, warnings: [] });
    cache.close();
    const files = ['', '-wal', '-shm'].map((s) => listingCachePath(data) + s);
    for (const f of files) if (!existsSync(f)) writeFileSync(f, '');
    const r = await runBerth(['reindex', '--data', data]);
    expect(r.code).toBe(0);
    for (const f of files) expect(existsSync(f), f).toBe(false);
  });

  it('rebuilds an index that disagrees with the disk', async () => {
    const data = fresh('reindex-stale');
    const berth = await startBerth(data);
    await pushRandomImage(berth.url, 'gamma', 'a');
    await berth.stop();
    // A repository removed behind Berth's back must not survive a reindex.
    rmSync(repoDir(data, 'gamma'), { recursive: true });
    const r = await runBerth(['reindex', '--data', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 repositories, 0 tags, 0 manifests/);
  });
});

describe('berth serve with auth and TLS', () => {
  it('first start creates the admin user, shows its password once, and requires it', async () => {
    const data = fresh('first-start');
    const first = await spawnServe(['serve', '--data', data, '--listen', '127.0.0.1:0'], {});
    const password = /password: (\S+)/.exec(first.output())?.[1];
    expect(password, first.output()).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const basic = (p: string) => ({ Authorization: `Basic ${Buffer.from(`admin:${p}`).toString('base64')}` });
    expect((await fetch(`${first.url}/v2/`)).status).toBe(401);
    expect((await fetch(`${first.url}/v2/`, { headers: basic('wrong') })).status).toBe(401);
    expect((await fetch(`${first.url}/v2/`, { headers: basic(password!) })).status).toBe(200);
    expect(await first.stop()).toBe(0);
    // The second start keeps the user and never shows a password again.
    const second = await spawnServe(['serve', '--data', data, '--listen', '127.0.0.1:0'], {});
    expect(second.output()).not.toMatch(/password/);
    expect((await fetch(`${second.url}/v2/`, { headers: basic(password!) })).status).toBe(200);
    expect(await second.stop()).toBe(0);
  });

  it('--tls-listen adds an HTTPS listener with Berth own certificate, trusted through ca.crt', async () => {
    const data = fresh('tls-listen');
    const served = await spawnServe(['serve', '--data', data, '--listen', '127.0.0.1:0', '--auth', 'none', '--tls-listen', '127.0.0.1:0'], {});
    // The HTTPS line follows the HTTP one; it may arrive a moment after spawnServe returned.
    const httpsLine = /listening on (https:\/\/127\.0\.0\.1:\d+)/;
    for (let i = 0; i < 50 && !httpsLine.test(served.output()); i++) await new Promise((r) => setTimeout(r, 100));
    const secure = httpsLine.exec(served.output())?.[1];
    expect(served.url).toMatch(/^http:/);
    expect(secure, served.output()).toBeDefined();
    const ca = readFileSync(join(data, 'berth/tls/ca.crt'));
    const ping = await httpsGet(`${secure}/v2/`, ca);
    expect(ping.status).toBe(200);
    // The same registry behind both listeners.
    await pushRandomImage(served.url, 'both/ways', 'v1');
    expect(JSON.parse((await httpsGet(`${secure}/v2/both/ways/tags/list`, ca)).body)).toEqual({ name: 'both/ways', tags: ['v1'] });
    // Without the CA the certificate is not trusted.
    await expect(fetch(`${secure}/v2/`)).rejects.toThrow();
    expect(await served.stop()).toBe(0);
  });
});

describe('berth serve --ui on the network', () => {
  /** A GUI folder with a recognisable index.html. */
  function guiDir(): string {
    const dir = fresh('gui');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Berth GUI marker</title>');
    return dir;
  }

  /** One plain-HTTP request to 127.0.0.1:port, headers as written. */
  function plain(port: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
    return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((res, rej) => {
      const req = httpRequest({ host: '127.0.0.1', port: Number(port), method, path, headers }, (r) => {
        let text = '';
        r.on('data', (d) => (text += d));
        r.on('end', () => res({ status: r.statusCode!, headers: r.headers, body: text }));
      });
      req.on('error', rej);
      req.end(body);
    });
  }

  it('refuses the GUI on a plain-HTTP listener other machines can reach, naming --tls-listen', async () => {
    const data = fresh('ui-open');
    for (const listen of ['0.0.0.0:0', ':0']) {
      const r = await runBerth(['serve', '--data', data, '--listen', listen, '--ui', '--ui-dir', guiDir()]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^berth: --ui .*in clear.*--tls-listen/);
      expect(r.stdout).not.toContain('Berth UI');
    }
    // Refused before anything was written: no admin user was made.
    expect(existsSync(join(data, 'berth', 'htpasswd'))).toBe(false);
  });

  it('with --tls-listen serves the GUI and its API only over HTTPS; the plain listener keeps /v2 for clients', async () => {
    const data = fresh('ui-tls');
    const served = await spawnServe(['serve', '--data', data, '--listen', '0.0.0.0:0', '--tls-listen', '127.0.0.1:0', '--ui', '--ui-dir', guiDir()], {});
    // The UI line names the https address.
    const uiLine = (await printed(served, /Berth UI: (\S+)/))[1];
    const out = served.output();
    const plainPort = /listening on http:\/\/0\.0\.0\.0:(\d+)/.exec(out)?.[1];
    expect(plainPort, out).toBeDefined();
    expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(uiLine).toBe(`${served.url}/`);
    const ca = readFileSync(join(data, 'berth/tls/ca.crt'));
    const page = await httpsGet(`${served.url}/`, ca);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Berth GUI marker');

    // In clear: a page load is sent to https, the API and the login answer 403, nothing of the GUI.
    const tlsPort = new URL(served.url).port;
    const load = await plain(plainPort!, 'GET', '/repositories', { host: `registry.lan:${plainPort}` });
    expect(load.status).toBe(308);
    expect(load.headers.location).toBe(`https://registry.lan:${tlsPort}/repositories`);
    expect(load.body).not.toContain('Berth GUI marker');
    const password = /password: (\S+)/.exec(out)?.[1];
    const loginInClear = await plain(plainPort!, 'POST', '/_berth/api/session', { 'content-type': 'application/json' }, JSON.stringify({ username: 'admin', password }));
    expect(loginInClear.status).toBe(403);
    expect(loginInClear.body).toContain(`https://`);
    expect(loginInClear.headers['set-cookie']).toBeUndefined();
    // Clients keep the registry on the plain listener.
    expect((await plain(plainPort!, 'GET', '/v2/')).status).toBe(401);
    expect(await served.stop()).toBe(0);
  });

  it('keeps serving the GUI on a loopback plain-HTTP listener, as before', async () => {
    const served = await spawnServe(['serve', '--data', fresh('ui-loopback'), '--listen', '127.0.0.1:0', '--ui', '--ui-dir', guiDir()], {});
    expect((await printed(served, /Berth UI: (\S+)/))[1]).toBe(`${served.url}/`);
    const page = await fetch(`${served.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Berth GUI marker');
    expect(await served.stop()).toBe(0);
  });
});


describe('berth serve: the GUI by default', () => {
  /** A GUI folder with a recognisable index.html. */
  function guiDir(): string {
    const dir = fresh('gui-default');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Berth GUI marker</title>');
    return dir;
  }

  /** `berth ARGS` exactly as written (no flags added), until its output matches `re`; `waitFor` waits for more. */
  async function serveUntil(args: string[], re: RegExp) {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'src-server', 'cli.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
    const stop = () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    };
    stops.push(stop);
    const waitFor = async (pattern: RegExp): Promise<RegExpExecArray> => {
      for (;;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (proc.exitCode !== null) throw new Error(`berth exited with ${proc.exitCode} before printing ${pattern}:\n${out}`);
        await Promise.race([once(proc.stdout, 'data'), once(proc, 'exit')]);
      }
    };
    return { match: await waitFor(re), waitFor, output: () => out, stop };
  }
  const stops: (() => Promise<number | null>)[] = [];
  afterAll(async () => {
    await Promise.all(stops.map((s) => s()));
  });

  it('serves the GUI without --ui on loopback and prints its address', async () => {
    const { match, waitFor, stop } = await serveUntil(['serve', '--data', fresh('ui-default'), '--listen', '127.0.0.1:0', '--ui-dir', guiDir()], /listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
    const url = match[1]!;
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Berth GUI marker');
    expect((await fetch(`${url}/_berth/api/session`)).status).toBe(401);
    expect((await waitFor(/Berth UI: (\S+)\n/))[1]).toBe(`${url}/`);
    expect(await stop()).toBe(0);
  });

  it('--no-ui serves the registry alone: no GUI line, / and the API are 404', async () => {
    const { match, output, stop } = await serveUntil(['serve', '--data', fresh('no-ui'), '--listen', '127.0.0.1:0', '--auth', 'none', '--no-ui'], /listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
    const url = match[1]!;
    expect((await fetch(`${url}/v2/`)).status).toBe(200);
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/_berth/api/session`)).status).toBe(404);
    expect(await stop()).toBe(0);
    expect(output()).not.toContain('Berth UI');
  });

  it('on a plain-HTTP address other machines reach, starts the registry with the GUI off and says how to turn it on', async () => {
    for (const extra of [[], ['--auth', 'none', '--allow-open-network']]) {
      const { match, output, stop } = await serveUntil(['serve', '--data', fresh('ui-off'), '--listen', '0.0.0.0:0', '--ui-dir', guiDir(), ...extra], /Berth UI: (off: .*)\n/);
      const port = /listening on http:\/\/0\.0\.0\.0:(\d+)/.exec(output())?.[1];
      expect(port, output()).toBeDefined();
      expect(match[1]).toMatch(extra.length ? /--auth none.*loopback/ : /0\.0\.0\.0:\d+ reaches other machines.*--tls-listen/);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(404);
      expect(await page.text()).not.toContain('Berth GUI marker');
      expect((await fetch(`http://127.0.0.1:${port}/v2/`)).headers.get('docker-distribution-api-version')).toBe('registry/2.0');
      expect(await stop()).toBe(0);
    }
  });
});
