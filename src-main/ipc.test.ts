import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, type Envelope, type InvokeChannel } from '../src-server/contract';
import { broadcast, createSenderCheck, registerIpc, UNTRUSTED_SENDER, type EventTarget, type InvokeEventLike, type IpcMainLike, type Route } from './ipc';

type Listener = Parameters<IpcMainLike['handle']>[1];

/** ipcMain as a map of handlers; handling a channel twice throws, as Electron's does. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  call(channel: string, event: InvokeEventLike, payload: unknown): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return h(event, payload);
  }
}

const APP_FILE = '/opt/Berth/resources/app.asar/out/renderer/index.html';
const APP_URL = pathToFileURL(APP_FILE).href;
const event = (url: string | null, id = 7, parent: unknown = null): InvokeEventLike => ({
  sender: { id },
  senderFrame: url === null ? null : { url, parent },
});

function setup(trusted: boolean, route?: Route) {
  const ipcMain = new FakeIpcMain();
  const routed: [InvokeChannel, unknown][] = [];
  const refused: [string, string][] = [];
  const unregister = registerIpc({
    ipcMain,
    isTrustedSender: () => trusted,
    route:
      route ??
      (async (channel, payload) => {
        routed.push([channel, payload]);
        return { ok: true, result: { channel } };
      }),
    onRefused: (channel, reason) => refused.push([channel, reason]),
  });
  return { ipcMain, routed, refused, unregister };
}

describe('registerIpc', () => {
  it('registers exactly the invoke channels of the contract', () => {
    const { ipcMain } = setup(true);
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect(ipcMain.handlers.size).toBe(INVOKE_CHANNELS.length);
  });

  it('routes a trusted call and answers its envelope', async () => {
    const s = setup(true);
    const answer = await s.ipcMain.call('browse:tags', event(APP_URL), { repository: 'a' });
    expect(answer).toEqual({ ok: true, result: { channel: 'browse:tags' } });
    expect(s.routed).toEqual([['browse:tags', { repository: 'a' }]]);
  });

  it('refuses an untrusted sender without routing, and tells onRefused without the payload', async () => {
    const s = setup(false);
    const answer = await s.ipcMain.call('users:set-password', event('https://evil.example/x', 12), { user: 'admin', password: 's3cret-pw' });
    expect(answer).toBe(UNTRUSTED_SENDER);
    expect(answer).toMatchObject({ ok: false, error: { code: 'DENIED' } });
    expect(s.routed).toEqual([]);
    expect(s.refused).toHaveLength(1);
    const [channel, reason] = s.refused[0]!;
    expect(channel).toBe('users:set-password');
    expect(reason).toContain('https://evil.example/x');
    expect(reason).toContain('12');
    expect(reason).not.toContain('s3cret-pw');
  });

  it('names a missing frame in the refusal', async () => {
    const s = setup(false);
    await s.ipcMain.call('registry:status', event(null, 3), undefined);
    expect(s.refused).toEqual([['registry:status', 'sender (no frame) of web contents 3']]);
  });

  it('turns a route that throws into an INTERNAL envelope', async () => {
    const s = setup(true, async () => {
      throw new Error('boom');
    });
    const answer = (await s.ipcMain.call('gc:run', event(APP_URL), undefined)) as Envelope<unknown>;
    expect(answer.ok).toBe(false);
    if (!answer.ok) {
      expect(answer.error.code).toBe('INTERNAL');
      expect(answer.error.message).toContain('gc:run');
      expect(answer.error.message).toContain('boom');
    }
  });

  it('removes every handler when unregistered, so registering again works', () => {
    const s = setup(true);
    s.unregister();
    expect(s.ipcMain.handlers.size).toBe(0);
    expect(() =>
      registerIpc({ ipcMain: s.ipcMain, isTrustedSender: () => true, route: async () => ({ ok: true, result: null }) }),
    ).not.toThrow();
    expect(s.ipcMain.handlers.size).toBe(INVOKE_CHANNELS.length);
  });
});

describe('createSenderCheck', () => {
  const check = (appUrl: string, ids: number[] = [7]) => createSenderCheck({ appUrl: () => appUrl, windowContentsIds: () => ids });

  it("accepts the top frame of a Berth window showing the app's file, with a hash route", () => {
    const ok = check(APP_URL);
    expect(ok(event(APP_URL))).toBe(true);
    expect(ok(event(`${APP_URL}#/repositories/library%2Fnginx`))).toBe(true);
  });

  it('refuses a subframe, a missing frame and an unknown web contents', () => {
    const ok = check(APP_URL, [7, 8]);
    expect(ok(event(APP_URL, 7, { url: APP_URL }))).toBe(false);
    expect(ok(event(null, 7))).toBe(false);
    expect(ok(event(APP_URL, 9))).toBe(false);
    expect(ok(event(APP_URL, 8))).toBe(true);
  });

  it('reads the windows and the app URL at each call', () => {
    let ids = [7];
    const ok = createSenderCheck({ appUrl: () => APP_URL, windowContentsIds: () => new Set(ids) });
    expect(ok(event(APP_URL, 7))).toBe(true);
    ids = [8];
    expect(ok(event(APP_URL, 7))).toBe(false);
  });

  it('refuses another file and any web page', () => {
    const ok = check(APP_URL);
    expect(ok(event(pathToFileURL('/tmp/evil/index.html').href))).toBe(false);
    expect(ok(event(pathToFileURL('/opt/Berth/resources/app.asar/out/renderer/other.html').href))).toBe(false);
    expect(ok(event('https://example.com/'))).toBe(false);
    expect(ok(event('about:blank'))).toBe(false);
    expect(ok(event('not a url'))).toBe(false);
  });

  it('accepts the dev server only on its own origin', () => {
    const ok = check('http://localhost:5173/');
    expect(ok(event('http://localhost:5173/#/settings'))).toBe(true);
    expect(ok(event('http://localhost:5174/'))).toBe(false);
    expect(ok(event('http://127.0.0.1:5173/'))).toBe(false);
    expect(ok(event('https://localhost:5173/'))).toBe(false);
    expect(ok(event(APP_URL))).toBe(false);
  });
});

describe('broadcast', () => {
  it('sends to live windows and skips destroyed ones', () => {
    const sent: [string, string, unknown][] = [];
    const target = (name: string, destroyed: boolean): EventTarget => ({
      isDestroyed: () => destroyed,
      send: (channel, payload) => {
        if (destroyed) throw new Error('Object has been destroyed');
        sent.push([name, channel, payload]);
      },
    });
    broadcast([target('a', false), target('b', true), target('c', false)], 'gc:progress', { done: 2 });
    expect(sent).toEqual([
      ['a', 'gc:progress', { done: 2 }],
      ['c', 'gc:progress', { done: 2 }],
    ]);
  });
});
