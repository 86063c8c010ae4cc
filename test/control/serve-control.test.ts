/**
 * The control path with a real `berth serve` process: control.json appears (0600) once it listens
 * and goes on SIGTERM; the registry's own listener knows nothing of /invoke; the CLI client ignores
 * a stale control.json and reports a server lost mid-call in one line.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { invokeCore } from '../../src-server/cli/control-client';
import { CliError } from '../../src-server/cli/errors';
import { controlFilePath } from '../../src-server/http/control/control-server';
import { berthWorkspace, runBerth } from '../helpers/berth-server';
import { pushRandomImage } from '../helpers/push';

const ws = berthWorkspace('berth-control-');
const fresh = () => ws.fresh();
const serve = (dataDir: string) => ws.serve(dataDir);

describe('berth serve', () => {
  it('writes control.json (0600, its pid, a loopback URL on another port) and removes it on SIGTERM', async () => {
    const dataDir = fresh();
    const b = await serve(dataDir);
    const file = controlFilePath(dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const ctl = JSON.parse(readFileSync(file, 'utf8'));
    expect(ctl.pid).toBe(b.proc.pid);
    expect(ctl.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ctl.url).not.toBe(b.url);

    const status = await fetch(`${ctl.url}/invoke/registry:status`, { method: 'POST', headers: { Authorization: `Bearer ${ctl.token}` } });
    expect(JSON.parse(await status.text())).toEqual({ ok: true, result: { running: true, url: b.url } });
    expect(await invokeCore({ data: dataDir }, 'registry:status', undefined)).toEqual({ running: true, url: b.url });

    expect(await b.stop()).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('does not serve /invoke on the registry listener', async () => {
    const dataDir = fresh();
    const b = await serve(dataDir);
    const token = JSON.parse(readFileSync(controlFilePath(dataDir), 'utf8')).token;
    const res = await fetch(`${b.url}/invoke/repository:delete`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/json/);
    await res.json();
    await b.stop();
  });
});

describe('CLI client', () => {
  it('ignores a stale control.json (dead pid, or a port that refuses) and works in-process', async () => {
    const dataDir = fresh();
    const b = await serve(dataDir);
    await pushRandomImage(b.url, 'team/a', 'v1');
    await pushRandomImage(b.url, 'team/b', 'v1');
    const ctl = JSON.parse(readFileSync(controlFilePath(dataDir), 'utf8'));
    await b.kill(); // SIGKILL: control.json stays behind
    expect(existsSync(controlFilePath(dataDir))).toBe(true);

    const rm = await runBerth(['repo', 'rm', 'team/a', '--yes', '--data', dataDir]);
    expect(rm.stderr).toBe('');
    expect(rm.stdout).toMatch(/^deleted repository team\/a: 1 tag, 1 manifest/);

    // A live pid (this test's) whose port refuses connections.
    writeFileSync(controlFilePath(dataDir), JSON.stringify({ ...ctl, pid: process.pid }), { mode: 0o600 });
    expect(await invokeCore({ data: dataDir }, 'repository:delete', { name: 'team/b' })).toEqual({ tags: 1, manifests: 1 });
  });

  it('a server lost mid-call is one CliError line, not a retry in-process', async () => {
    const dataDir = fresh();
    // Opened once so the directory is a registry, with a repository the call would delete in-process.
    const b = await serve(dataDir);
    await pushRandomImage(b.url, 'team/a', 'v1');
    await b.stop();
    // A listener that starts the answer (one progress event) and then drops the connection.
    const half: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      res.write(JSON.stringify({ event: 'gc:progress', payload: { phase: 'mark', done: 1, total: 2 } }) + '\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await new Promise<void>((r) => half.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(half.address() as AddressInfo).port}`;
    writeFileSync(controlFilePath(dataDir), JSON.stringify({ pid: process.pid, url, token: 't' }), { mode: 0o600 });
    const events: unknown[] = [];
    const err = await invokeCore({ data: dataDir }, 'repository:delete', { name: 'team/a' }, (e, p) => events.push([e, p])).catch((e) => e);
    half.close();
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toMatch(/^lost berth serve \(pid \d+\) during the call/);
    expect(err.message).not.toContain('\n');
    expect(events).toEqual([['gc:progress', { phase: 'mark', done: 1, total: 2 }]]);
    // Nothing ran in-process behind the user's back.
    const again = await serve(dataDir);
    expect((await (await fetch(`${again.url}/v2/_catalog`)).json()).repositories).toEqual(['team/a']);
    await again.stop();
  });
});
