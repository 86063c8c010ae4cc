/**
 * The control listener over real loopback HTTP, serving the real handler table over real services:
 * the token, the NDJSON stream (events, then the envelope), refusals of unknown channels and bad
 * bodies, and control.json.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreHandlers } from '../../src-server/api/handlers';
import { controlFilePath, readControlFile, startControlServer, tokenMatches, type ControlServer } from '../../src-server/http/control/control-server';
import { silentLogger } from '../../src-server/logger';
import { raw, startApi, type ApiRegistry, type RawResponse } from '../api/harness';
import { pushRandomImage } from '../helpers/push';

let api: ApiRegistry;
let control: ControlServer;
let token: string;
let port: number;

beforeAll(async () => {
  // The gc test collects what a DELETE left: deletes skip the trash here (trash.keep 0).
  api = await startApi({ trashKeepMs: 0 });
  const handlers = createCoreHandlers(api.services, { status: () => ({ running: true, url: api.base }) });
  control = await startControlServer({ handlers, dataDir: api.dataDir, log: silentLogger });
  token = readControlFile(api.dataDir)!.token;
  port = Number(new URL(control.url).port);
});

afterAll(async () => {
  await control?.close();
  await api?.close();
});

const invoke = (channel: string, body?: string, auth: string | null = `Bearer ${token}`, method = 'POST') =>
  raw(port, method, `/invoke/${channel}`, { headers: auth === null ? {} : { Authorization: auth }, body });

/** The NDJSON lines of a response. */
const lines = (res: RawResponse) => res.text.trim().split('\n').map((l) => JSON.parse(l));

describe('control.json', () => {
  it('names this process, a loopback URL and a 32-byte token, readable by the owner only', () => {
    const file = controlFilePath(api.dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const ctl = JSON.parse(readFileSync(file, 'utf8'));
    expect(ctl).toEqual({ pid: process.pid, url: control.url, token: expect.any(String) });
    expect(ctl.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Buffer.from(ctl.token, 'base64url')).toHaveLength(32);
  });
});

describe('token', () => {
  it.each([
    { desc: 'missing', auth: null },
    { desc: 'wrong', auth: 'Bearer x' + 'A'.repeat(42) },
    { desc: 'a prefix of the right one', auth: 'PREFIX' },
    { desc: 'not Bearer', auth: 'Basic Zm9vOmJhcg==' },
  ])('$desc → 401 and nothing runs', async ({ auth }) => {
    const header = auth === 'PREFIX' ? `Bearer ${token.slice(0, 10)}` : auth;
    const res = await invoke('repository:delete', JSON.stringify({ name: 'kept' }), header);
    expect(res.status).toBe(401);
    expect(res.header('content-type')).toMatch(/json/);
    expect(lines(res)).toEqual([{ ok: false, error: { code: 'UNAUTHORIZED', message: expect.any(String) } }]);
  });

  it('an unknown channel with a wrong token is 401 too (the token comes first: nothing about channels leaks)', async () => {
    expect((await invoke('nope', '', 'Bearer bad')).status).toBe(401);
  });

  it('tokenMatches compares through equal-length hashes (no throw on a length mismatch, no prefix match)', () => {
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches('', token)).toBe(false);
    expect(tokenMatches(token.slice(0, -1), token)).toBe(false);
    expect(tokenMatches(token + 'x', token)).toBe(false);
    expect(tokenMatches('a'.repeat(10_000), token)).toBe(false);
  });
});

describe('calls', () => {
  it('registry:status answers one envelope line', async () => {
    const res = await invoke('registry:status');
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toBe('application/x-ndjson');
    expect(lines(res)).toEqual([{ ok: true, result: { running: true, url: api.base } }]);
  });

  it('repository:delete removes the repository from the running registry', async () => {
    await pushRandomImage(api.base, 'team/gone', 'v1');
    await pushRandomImage(api.base, 'team/gone', 'v2');
    await pushRandomImage(api.base, 'team/stays', 'v1');
    const res = await invoke('repository:delete', JSON.stringify({ name: 'team/gone' }));
    expect(lines(res)).toEqual([{ ok: true, result: { tags: 2, manifests: 2 } }]);
    const catalog = await (await fetch(`${api.base}/v2/_catalog`)).json();
    expect(catalog.repositories).toEqual(['team/stays']);
    expect((await fetch(`${api.base}/v2/team/gone/manifests/v1`)).status).toBe(404);
  });

  it.each([
    { desc: 'unknown repository', body: { name: 'no/such' }, code: 'NAME_UNKNOWN' },
    { desc: 'invalid name', body: { name: 'Team/UPPER' }, code: 'NAME_INVALID' },
  ])('repository:delete of an $desc → $code in the envelope', async ({ body, code }) => {
    const res = await invoke('repository:delete', JSON.stringify(body));
    expect(res.status).toBe(200);
    expect(lines(res)).toEqual([{ ok: false, error: expect.objectContaining({ code, message: expect.any(String) }) }]);
  });
});

describe('gc:run', () => {
  it('streams gc:progress events, then the report as the last line', async () => {
    const img = await pushRandomImage(api.base, 'gc/one', 'v1', [2048]);
    await fetch(`${api.base}/v2/gc/one/manifests/${img.digest}`, { method: 'DELETE' });
    const res = await invoke('gc:run', JSON.stringify({ dryRun: false }));
    expect(res.status).toBe(200);
    const all = lines(res);
    const events = all.slice(0, -1);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e).toEqual({ event: 'gc:progress', payload: { phase: expect.any(String), done: expect.any(Number), total: expect.any(Number) } });
    expect(events.map((e) => e.payload.phase)).toContain('blobs');
    const last = all.at(-1);
    expect(last.ok).toBe(true);
    const removed = last.result.blobsRemoved.map((b: { digest: string }) => b.digest);
    expect(removed).toEqual(expect.arrayContaining([img.digest, img.manifest.config.digest, img.manifest.layers[0]!.digest]));
  });

  it('while a collection runs, another is refused as BUSY', async () => {
    await api.services.registry.forCollection().gate.beginCollection();
    try {
      const res = await invoke('gc:run', '{}');
      expect(lines(res)).toEqual([{ ok: false, error: { code: 'BUSY', message: 'a garbage collection is already running' } }]);
    } finally {
      api.services.registry.forCollection().gate.endCollection();
    }
    expect(lines(await invoke('gc:run', '{"dryRun":true}')).at(-1).ok).toBe(true);
  });
});

describe('usage', () => {
  it('usage:registry and usage:repository answer the running registry\'s figures', async () => {
    const img = await pushRandomImage(api.base, 'usage/app', 'v1', [3000]);
    const all = lines(await invoke('usage:registry'));
    expect(all).toHaveLength(1);
    expect(all[0].ok).toBe(true);
    const row = all[0].result.repositories.find((r: { name: string }) => r.name === 'usage/app');
    expect(row).toMatchObject({ name: 'usage/app', tags: 1, manifests: 1 });
    expect(row.stored).toBeGreaterThanOrEqual(3000 + img.size);
    const one = lines(await invoke('usage:repository', JSON.stringify({ name: 'usage/app' })))[0];
    expect(one.result.images.map((i: { digest: string; tags: string[] }) => [i.digest, i.tags])).toEqual([[img.digest, ['v1']]]);
    expect(lines(await invoke('usage:repository', JSON.stringify({ name: 'usage/none' })))[0].error.code).toBe('NAME_UNKNOWN');
  });
});

describe('refusals', () => {
  it.each([
    { desc: 'unknown channel', channel: 'nope:nothing', body: '{}', status: 404, code: 'CHANNEL_UNKNOWN' },
    { desc: 'a path outside /invoke', channel: '../v2/', body: '{}', status: 404, code: 'CHANNEL_UNKNOWN' },
    { desc: 'a body that is not JSON', channel: 'repository:delete', body: '{name:', status: 400, code: 'ARGS_INVALID' },
    { desc: 'a payload of the wrong shape', channel: 'repository:delete', body: '{"name":3}', status: 400, code: 'ARGS_INVALID' },
    { desc: 'an unknown argument', channel: 'gc:run', body: '{"dryrun":true}', status: 400, code: 'ARGS_INVALID' },
    { desc: 'arguments to a channel that takes none', channel: 'registry:status', body: '[1]', status: 400, code: 'ARGS_INVALID' },
    { desc: 'a body over 8 MiB', channel: 'repository:delete', body: JSON.stringify({ name: 'a'.repeat(8 * 1024 * 1024 + 10) }), status: 413, code: 'ARGS_INVALID' },
  ])('$desc → $status with one envelope line', async ({ channel, body, status, code }) => {
    const res = await invoke(channel, body);
    expect(res.status).toBe(status);
    expect(lines(res)).toEqual([{ ok: false, error: { code, message: expect.any(String) } }]);
  });

  it('GET → 405 with Allow: POST', async () => {
    const res = await invoke('registry:status', undefined, `Bearer ${token}`, 'GET');
    expect(res.status).toBe(405);
    expect(res.header('allow')).toBe('POST');
  });
});

describe('close', () => {
  it('removes control.json and stops listening', async () => {
    const other = await startApi();
    const c = await startControlServer({ handlers: createCoreHandlers(other.services), dataDir: other.dataDir, log: silentLogger });
    expect(existsSync(controlFilePath(other.dataDir))).toBe(true);
    await c.close();
    expect(existsSync(controlFilePath(other.dataDir))).toBe(false);
    await expect(fetch(`${c.url}/invoke/registry:status`, { method: 'POST' })).rejects.toThrow();
    await other.close();
  });
});
