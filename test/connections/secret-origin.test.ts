/**
 * A saved connection's password stays with the origin it was typed for, through the real
 * `berth serve --ui` bridge: `connections:update` moving the URL from https to http on the same
 * host and port (what a downgrade would do), or to another registry, drops the stored password,
 * and neither `connections:test` nor browsing then sends it; the stand-in registries record every
 * Authorization header they receive.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthWorkspace } from '../helpers/berth-server';
import { invoke, killUiServers, login, startUiServer, type Login } from '../bridge/client';
import { startRecordingRegistry, type RecordingRegistry } from './recording-registry';

const ws = berthWorkspace('berth-secret-origin-');
const USER = 'dana';
const PASSWORD = 'dana-Typed-For-Https-31f7';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let base: string;
let admin: Login;
let dual: RecordingRegistry;
let other: RecordingRegistry;

beforeAll(async () => {
  const ui = await startUiServer(ws.fresh());
  base = ui.berth.url;
  admin = await login(base, { username: 'admin', password: ui.password });
  const dir = (name: string) => {
    const d = join(ws.dir, name);
    mkdirSync(d);
    return d;
  };
  dual = await startRecordingRegistry(dir('dual'), USER, PASSWORD);
  other = await startRecordingRegistry(dir('other'), USER, PASSWORD);
}, 60_000);

afterAll(async () => {
  await killUiServers();
  await dual?.close();
  await other?.close();
});

async function call<T = any>(channel: string, args?: unknown): Promise<T> {
  const r = await invoke(base, admin, channel, args);
  if (!r.json?.ok) throw new Error(`${channel}: ${r.text}`);
  return r.json.result as T;
}

describe('connections:update and connections:test keep the password with its origin', () => {
  let id: string;

  it('sends the password to the https registry it was saved for', async () => {
    const saved = await call('connections:add', {
      name: 'dual', kind: 'registry', url: `https://127.0.0.1:${dual.port}`, username: USER, password: PASSWORD,
      trust: { mode: 'pin', pinSha256: dual.fingerprint },
    });
    id = saved.id;
    expect(saved.hasSecret).toBe(true);
    expect(await call('connections:test', { id })).toMatchObject({ ok: true, authScheme: 'basic', catalog: true });
    expect(dual.seen.filter((r) => r.authorization === BASIC).map((r) => r.scheme)).toContain('https');
    expect(dual.seen.filter((r) => r.scheme === 'http')).toEqual([]);
  });

  it('drops it when only the URL changes from https to http on the same host and port, and never sends it in clear', async () => {
    dual.seen.length = 0;
    const moved = await call('connections:update', { id, draft: { url: `http://127.0.0.1:${dual.port}`, trust: { mode: 'system' } } });
    expect(moved).toMatchObject({ url: `http://127.0.0.1:${dual.port}`, username: USER, hasSecret: false });
    const tested = await call('connections:test', { id });
    expect(tested).toMatchObject({ ok: false, error: { code: 'AUTH_REQUIRED' } });
    const browsed = await invoke(base, admin, 'browse:repositories', { connection: id });
    expect(browsed.text).not.toContain('over-http/app');
    expect(dual.seen.length).toBeGreaterThan(0);
    expect(dual.seen.every((r) => r.scheme === 'http')).toBe(true);
    expect(dual.seen.map((r) => r.authorization).filter((a) => a !== undefined)).toEqual([]);
    expect((await call('connections:list')).find((c: { id: string }) => c.id === id).hasSecret).toBe(false);
  });

  it('drops it for another registry too, and sends a password given again with the new URL only there', async () => {
    const back = await call('connections:update', { id, draft: { url: `https://127.0.0.1:${dual.port}`, trust: { mode: 'pin', pinSha256: dual.fingerprint }, password: PASSWORD } });
    expect(back.hasSecret).toBe(true);
    dual.seen.length = 0;
    const elsewhere = await call('connections:update', { id, draft: { url: `http://127.0.0.1:${other.port}`, trust: { mode: 'system' } } });
    expect(elsewhere.hasSecret).toBe(false);
    expect(await call('connections:test', { id })).toMatchObject({ ok: false, error: { code: 'AUTH_REQUIRED' } });
    expect(other.seen.length).toBeGreaterThan(0);
    expect(other.seen.map((r) => r.authorization).filter((a) => a !== undefined)).toEqual([]);

    // The user types it again for the new address: now, and only now, it goes there.
    const retyped = await call('connections:update', { id, draft: { password: PASSWORD } });
    expect(retyped.hasSecret).toBe(true);
    expect(await call('connections:test', { id })).toMatchObject({ ok: true });
    expect(other.seen.some((r) => r.authorization === BASIC)).toBe(true);
    expect(dual.seen).toEqual([]);
  });
});
