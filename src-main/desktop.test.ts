import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MemorySecretStore, type SecretStore } from '../src-server/connections/secret-store';
import type { RegistryStatus } from '../src-server/contract';
import type { HostReady, HostRequest } from '../src-server/host/protocol';
import { createDesktop, type DesktopDeps } from './desktop';
import type { LaunchAtLogin } from './login-item';
import { registryPasswordAccount, type MessageBoxApi } from './password-offer';
import { DEFAULT_PREFERENCES, trayLight, type DesktopPreferences, type DesktopState } from './state';
import { ManualClock } from '../test/helpers/manual-clock';
import type { HostChild } from './supervisor';

/** A registry process the test scripts, with the arguments it was forked with. */
class FakeChild extends EventEmitter implements HostChild {
  readonly sent: HostRequest[] = [];
  constructor(readonly args: string[]) {
    super();
  }
  postMessage(message: HostRequest): void {
    this.sent.push(message);
  }
  kill(): boolean {
    return true;
  }
  invokes(channel?: string) {
    return this.sent.filter((m): m is Extract<HostRequest, { type: 'invoke' }> => m.type === 'invoke' && (!channel || m.channel === channel));
  }
  /** Answers the (single) pending invoke of `channel`. */
  answer(channel: string, envelope: unknown): void {
    const call = this.invokes(channel).at(-1);
    if (!call) throw new Error(`no invoke of ${channel}`);
    this.emit('message', { type: 'result', id: call.id, envelope });
  }
}

const RUNNING: RegistryStatus = { running: true, url: 'http://127.0.0.1:5000', tlsUrl: 'https://127.0.0.1:5443', controllable: true };
const ready = (extra: Partial<HostReady> = {}): HostReady => ({
  type: 'ready',
  status: RUNNING,
  loginUser: 'admin',
  initialPassword: null,
  secrets: { kind: 'keychain', warning: null },
  ...extra,
});

type Box = Parameters<MessageBoxApi['showMessageBox']>[0];
type SaveOpts = Parameters<DesktopDeps['dialog']['showSaveDialog']>[0];

function setup(opts: { prefs?: Partial<DesktopPreferences>; keychain?: SecretStore; boxAnswers?: number[]; save?: { canceled: boolean; filePath?: string } } = {}) {
  const clock = new ManualClock();
  const children: FakeChild[] = [];
  let prefs: DesktopPreferences = { ...DEFAULT_PREFERENCES, ...opts.prefs };
  let loginItem = false;
  const launchAtLogin: LaunchAtLogin & { fail: boolean } = {
    supported: true,
    fail: false,
    get: () => loginItem,
    set(on) {
      if (this.fail) throw new Error('the OS refused');
      loginItem = on;
    },
    openedAtLogin: () => false,
  };
  const boxes: Box[] = [];
  const saves: SaveOpts[] = [];
  const boxAnswers = [...(opts.boxAnswers ?? [])];
  const rec = {
    clipboard: [] as string[],
    notes: [] as [string, string][],
    writes: [] as [string, Uint8Array][],
    renders: [] as DesktopState[],
    windowEvents: [] as [string, unknown][],
    prefSets: [] as Partial<DesktopPreferences>[],
    quits: 0,
    opened: 0,
  };
  const keychain = opts.keychain ?? new MemorySecretStore();
  const deps: DesktopDeps = {
    fork: (args) => {
      const c = new FakeChild(args);
      children.push(c);
      return c;
    },
    prefs: {
      get: () => prefs,
      set: (patch) => {
        rec.prefSets.push(patch);
        prefs = { ...prefs, ...patch };
        return prefs;
      },
    },
    launchAtLogin,
    keychain,
    clipboard: { writeText: (t) => void rec.clipboard.push(t) },
    dialog: {
      showMessageBox: async (o) => {
        boxes.push(o);
        return { response: boxAnswers.shift() ?? o.cancelId };
      },
      showSaveDialog: async (o) => {
        saves.push(o);
        return opts.save ?? { canceled: false, filePath: join('/home/u/Downloads', 'chosen.tar.gz') };
      },
    },
    notify: (title, body) => void rec.notes.push([title, body]),
    writeFile: async (path, data) => void rec.writes.push([path, data]),
    downloadsDir: '/home/u/Downloads',
    openWindow: () => void rec.opened++,
    sendToWindows: (channel, payload) => void rec.windowEvents.push([channel, payload]),
    render: (s) => void rec.renders.push(s),
    quit: () => void rec.quits++,
    timers: clock,
    hostArgs: ['--data', '/data'],
  };
  const desktop = createDesktop(deps);
  const last = () => children[children.length - 1]!;
  /** Starts the registry process and makes it ready; waits for onReady's keychain read. */
  const startReady = async (r: HostReady = ready()) => {
    desktop.start();
    last().emit('message', r);
    await vi.waitFor(() => expect(rec.renders.at(-1)?.loginUser).toBe(r.loginUser));
    return last();
  };
  return { clock, children, desktop, deps, rec, boxes, saves, keychain, launchAtLogin, last, startReady };
}

describe('createDesktop', () => {
  it('reflects the supervisor and the preferences in its state', async () => {
    const s = setup({ prefs: { startRegistryOnLaunch: false } });
    expect(s.desktop.state()).toEqual({
      host: { phase: 'stopped', error: null, crashes: 0, restartAt: null },
      registry: null,
      loginUser: null,
      passwordInKeychain: false,
      prefs: { ...DEFAULT_PREFERENCES, startRegistryOnLaunch: false },
      launchAtLoginSupported: true,
    });
    await s.startReady();
    const state = s.desktop.state();
    expect(state.host.phase).toBe('ready');
    expect(state.registry).toEqual(RUNNING);
    expect(state.loginUser).toBe('admin');
    expect(trayLight(state)).toBe('running');
  });

  it('forks with --no-listen when the registry is not to start on launch, and without once started', async () => {
    const s = setup({ prefs: { startRegistryOnLaunch: false } });
    const first = await s.startReady();
    expect(first.args).toEqual(['--data', '/data', '--no-listen']);
    const answer = s.desktop.route('registry:start', undefined);
    await vi.waitFor(() => expect(first.invokes('registry:start')).toHaveLength(1));
    first.answer('registry:start', { ok: true, result: RUNNING });
    expect(await answer).toEqual({ ok: true, result: RUNNING });
    // A crash: the restarted process comes back listening, as the user left it.
    first.emit('exit', 1);
    s.clock.advance(60_000);
    expect(s.children).toHaveLength(2);
    expect(s.last().args).toEqual(['--data', '/data']);
  });

  it('forks without --no-listen by default, and with it after the user stopped the registry', async () => {
    const s = setup();
    const first = await s.startReady();
    expect(first.args).toEqual(['--data', '/data']);
    void s.desktop.route('registry:stop', undefined);
    await vi.waitFor(() => expect(first.invokes('registry:stop')).toHaveLength(1));
    first.emit('exit', 1);
    s.clock.advance(60_000);
    expect(s.last().args).toEqual(['--data', '/data', '--no-listen']);
  });

  it('answers registry:status itself while the process is down', async () => {
    const s = setup();
    expect(await s.desktop.route('registry:status', undefined)).toEqual({
      ok: true,
      result: { running: false, url: null, tlsUrl: null, startedAt: null, error: 'the registry process is not running', controllable: true },
    });
    expect(s.children).toHaveLength(0);
    const child = await s.startReady();
    child.emit('exit', 1);
    const answer = await s.desktop.route('registry:status', undefined);
    expect(answer).toMatchObject({ ok: true, result: { running: false, error: expect.stringMatching(/exit code 1/) } });
    expect(child.invokes('registry:status')).toHaveLength(0);
  });

  it('starts a stopped process for registry:start and forwards the call once it is ready', async () => {
    const s = setup({ prefs: { startRegistryOnLaunch: false } });
    const answer = s.desktop.route('registry:start', undefined);
    expect(s.children).toHaveLength(1);
    const child = s.last();
    expect(child.args).toEqual(['--data', '/data']);
    await new Promise((r) => setImmediate(r));
    expect(child.invokes()).toHaveLength(0);
    child.emit('message', ready());
    await vi.waitFor(() => expect(child.invokes('registry:start')).toHaveLength(1));
    child.answer('registry:start', { ok: true, result: RUNNING });
    expect(await answer).toEqual({ ok: true, result: RUNNING });
    expect(child.invokes()).toHaveLength(1);
  });

  it('offers the first-run password and then knows it is in the keychain', async () => {
    const s = setup({ boxAnswers: [0] });
    await s.startReady(ready({ initialPassword: { user: 'admin', password: 'first-pw' } }));
    await vi.waitFor(() => expect(s.desktop.state().passwordInKeychain).toBe(true));
    expect(s.boxes).toHaveLength(1);
    expect(s.boxes[0]!.detail).toContain('first-pw');
    expect(s.boxes[0]!.detail).toContain('docker login 127.0.0.1:5000 -u admin');
    expect(await s.keychain.get(registryPasswordAccount('admin'))).toBe('first-pw');
    expect(s.rec.renders.at(-1)?.passwordInKeychain).toBe(true);
  });

  it('knows the password is not in the keychain when the offer is dismissed', async () => {
    const s = setup({ boxAnswers: [2] });
    await s.startReady(ready({ initialPassword: { user: 'admin', password: 'first-pw' } }));
    expect(s.boxes).toHaveLength(1);
    expect(s.desktop.state().passwordInKeychain).toBe(false);
  });

  it('tells the user when the registry process has no keychain', async () => {
    const s = setup();
    await s.startReady(ready({ secrets: { kind: 'file', warning: 'passwords are kept in /data/berth/secrets.json' } }));
    expect(s.rec.notes).toContainEqual(['Berth: no keychain', 'passwords are kept in /data/berth/secrets.json']);
  });

  it('reports a crash with a notification, the error light and a down status to the windows', async () => {
    const s = setup();
    const child = await s.startReady();
    child.emit('exit', 1);
    expect(s.rec.notes).toHaveLength(1);
    expect(s.rec.notes[0]![0]).toBe('Berth: the registry stopped');
    expect(s.rec.notes[0]![1]).toMatch(/exit code 1/);
    const rendered = s.rec.renders.at(-1)!;
    expect(rendered.host.phase).toBe('crashed');
    expect(trayLight(rendered)).toBe('error');
    expect(s.rec.windowEvents.at(-1)).toEqual(['registry:status-changed', expect.objectContaining({ running: false, error: expect.stringMatching(/exit code 1/) })]);
  });

  it('copies text from the tray', () => {
    const s = setup();
    s.desktop.tray.copy('127.0.0.1:5000', 'address');
    expect(s.rec.clipboard).toEqual(['127.0.0.1:5000']);
  });

  describe('exportBundle', () => {
    const bundle = { fileName: 'berth-ca-127.0.0.1-5443.tar.gz', base64: Buffer.from('the bundle bytes').toString('base64'), size: 16, sha256: 'x' };

    it('asks the registry for the bundle of its address and writes the bytes where the user chose', async () => {
      const s = setup();
      const child = await s.startReady();
      s.desktop.tray.exportBundle();
      await vi.waitFor(() => expect(child.invokes('cert:bundle')).toHaveLength(1));
      expect(child.invokes('cert:bundle')[0]!.payload).toEqual({ host: '127.0.0.1:5443' });
      child.answer('cert:bundle', { ok: true, result: bundle });
      await vi.waitFor(() => expect(s.rec.writes).toHaveLength(1));
      expect(s.saves[0]!.defaultPath).toBe(join('/home/u/Downloads', bundle.fileName));
      const [path, data] = s.rec.writes[0]!;
      expect(path).toBe(join('/home/u/Downloads', 'chosen.tar.gz'));
      expect(Buffer.from(data).toString()).toBe('the bundle bytes');
      await vi.waitFor(() => expect(s.rec.notes.at(-1)?.[0]).toBe('Berth: bundle exported'));
    });

    it('uses the plain URL when there is no TLS listener', async () => {
      const s = setup();
      const child = await s.startReady(ready({ status: { ...RUNNING, tlsUrl: null } }));
      s.desktop.tray.exportBundle();
      await vi.waitFor(() => expect(child.invokes('cert:bundle')).toHaveLength(1));
      expect(child.invokes('cert:bundle')[0]!.payload).toEqual({ host: '127.0.0.1:5000' });
    });

    it('writes nothing when the dialog is canceled', async () => {
      const s = setup({ save: { canceled: true } });
      const child = await s.startReady();
      s.desktop.tray.exportBundle();
      await vi.waitFor(() => expect(child.invokes('cert:bundle')).toHaveLength(1));
      child.answer('cert:bundle', { ok: true, result: bundle });
      await vi.waitFor(() => expect(s.saves).toHaveLength(1));
      await new Promise((r) => setTimeout(r, 20));
      expect(s.rec.writes).toEqual([]);
      expect(s.rec.notes).toEqual([]);
    });

    it('notifies the error of the registry and opens no dialog', async () => {
      const s = setup();
      const child = await s.startReady();
      s.desktop.tray.exportBundle();
      await vi.waitFor(() => expect(child.invokes('cert:bundle')).toHaveLength(1));
      child.answer('cert:bundle', { ok: false, error: { code: 'INTERNAL', message: 'no CA yet' } });
      await vi.waitFor(() => expect(s.rec.notes).toEqual([['Berth: the bundle could not be made', 'no CA yet']]));
      expect(s.saves).toEqual([]);
    });

    it('notifies that the registry must run first when it has no address', async () => {
      const s = setup();
      s.desktop.tray.exportBundle();
      await vi.waitFor(() => expect(s.rec.notes.map((n) => n[0])).toEqual(['Berth: no bundle']));
      expect(s.children).toHaveLength(0);
    });
  });

  it('copies the stored password, or says there is none', async () => {
    const keychain = new MemorySecretStore();
    const s = setup({ keychain });
    await s.startReady();
    s.desktop.tray.copyPassword();
    await vi.waitFor(() => expect(s.rec.notes).toHaveLength(1));
    expect(s.rec.notes[0]).toEqual(['Berth: no password', 'The keychain holds no password for admin.']);
    expect(s.rec.clipboard).toEqual([]);
    await keychain.set(registryPasswordAccount('admin'), 'kept-pw');
    s.desktop.tray.copyPassword();
    await vi.waitFor(() => expect(s.rec.clipboard).toEqual(['kept-pw']));
    expect(s.rec.notes).toHaveLength(1);
  });

  it('sets launch at login in the OS and the preferences, and shows what the OS says', () => {
    const s = setup();
    s.desktop.tray.setLaunchAtLogin(true);
    expect(s.launchAtLogin.get()).toBe(true);
    expect(s.rec.prefSets).toEqual([{ launchAtLogin: true }]);
    expect(s.rec.renders.at(-1)?.prefs.launchAtLogin).toBe(true);
    s.launchAtLogin.fail = true;
    s.desktop.tray.setLaunchAtLogin(false);
    expect(s.rec.notes).toEqual([['Berth: launch at login not changed', 'the OS refused']]);
    expect(s.rec.prefSets).toHaveLength(1);
    expect(s.desktop.state().prefs.launchAtLogin).toBe(true);
  });

  it('keeps starting the registry on launch as a preference', () => {
    const s = setup();
    s.desktop.tray.setStartRegistryOnLaunch(false);
    expect(s.rec.prefSets).toEqual([{ startRegistryOnLaunch: false }]);
    expect(s.desktop.state().prefs.startRegistryOnLaunch).toBe(false);
    expect(s.rec.renders.at(-1)?.prefs.startRegistryOnLaunch).toBe(false);
  });

  it('opens the window and quits through its dependencies', () => {
    const s = setup();
    s.desktop.tray.openWindow();
    s.desktop.tray.quit();
    expect(s.rec.opened).toBe(1);
    expect(s.rec.quits).toBe(1);
  });

  it('shuts the registry process down', async () => {
    const s = setup();
    const child = await s.startReady();
    const done = s.desktop.shutdown();
    expect(child.sent.at(-1)).toEqual({ type: 'shutdown' });
    child.emit('exit', 0);
    await done;
    expect(s.desktop.state().host.phase).toBe('stopped');
    expect(s.rec.notes).toEqual([]);
  });

  it('offers the password of a first start that failed after creating the user (sent with the fatal message)', async () => {
    const s = setup({ boxAnswers: [1] });
    s.desktop.start();
    s.last().emit('message', { type: 'fatal', message: 'cannot open data directory', initialPassword: { user: 'admin', password: 'lost-otherwise' } });
    s.last().emit('exit', 1);
    await vi.waitFor(() => expect(s.rec.clipboard).toEqual(['lost-otherwise']));
    expect(s.boxes[0]!.detail).toContain('lost-otherwise');
    expect(s.desktop.state().host.phase).toBe('failed');
  });

  it('quitting waits for the first-run offer still on screen', async () => {
    let answer!: (r: { response: number }) => void;
    const s = setup();
    s.deps.dialog.showMessageBox = () => new Promise((resolve) => (answer = resolve));
    const child = await s.startReady(ready({ initialPassword: { user: 'admin', password: 'pw' } })).catch(() => s.last());
    let done = false;
    const shutdown = s.desktop.shutdown().then(() => (done = true));
    child.emit('exit', 0);
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    answer({ response: 0 });
    await shutdown;
    expect(await s.keychain.get(registryPasswordAccount('admin'))).toBe('pw');
  });

  it('keeps the keychain copy of the login password in step when the GUI changes it', async () => {
    const s = setup({ boxAnswers: [0] });
    const child = await s.startReady(ready({ initialPassword: { user: 'admin', password: 'old-pw' } }));
    await vi.waitFor(() => expect(s.desktop.state().passwordInKeychain).toBe(true));
    const changed = s.desktop.route('users:set-password', { name: 'admin', password: 'new-pw-123456' });
    await vi.waitFor(() => expect(child.invokes('users:set-password')).toHaveLength(1));
    child.answer('users:set-password', { ok: true, result: null });
    await changed;
    expect(await s.keychain.get(registryPasswordAccount('admin'))).toBe('new-pw-123456');
    // Another user's password, or a refused change, leaves the keychain alone.
    const other = s.desktop.route('users:set-password', { name: 'bob', password: 'bobs-pw-123456' });
    await vi.waitFor(() => expect(child.invokes('users:set-password')).toHaveLength(2));
    child.answer('users:set-password', { ok: true, result: null });
    await other;
    const refused = s.desktop.route('users:set-password', { name: 'admin', password: 'x' });
    await vi.waitFor(() => expect(child.invokes('users:set-password')).toHaveLength(3));
    child.answer('users:set-password', { ok: false, error: { code: 'PASSWORD_INVALID', message: 'too short' } });
    await refused;
    expect(await s.keychain.get(registryPasswordAccount('admin'))).toBe('new-pw-123456');
  });
});

describe('saving an image file from the window', () => {
  const args = { connection: 'local', repository: 'team/app', reference: 'v1', path: 'etc/motd' };

  it('asks where in a save dialog, then has the registry process write there (never where the window says)', async () => {
    const s = setup({ save: { canceled: false, filePath: '/home/u/Downloads/motd' } });
    const child = await s.startReady();
    const answer = s.desktop.route('contents:save', { ...args, to: '/etc/passwd' });
    await vi.waitFor(() => expect(child.invokes('contents:save')).toHaveLength(1));
    expect(s.saves[0]!.defaultPath).toBe(join('/home/u/Downloads', 'motd'));
    expect(child.invokes('contents:save')[0]!.payload).toEqual({ ...args, to: '/home/u/Downloads/motd' });
    child.answer('contents:save', { ok: true, result: { path: '/home/u/Downloads/motd', bytes: 3 } });
    expect(await answer).toEqual({ ok: true, result: { path: '/home/u/Downloads/motd', bytes: 3 } });
  });

  it("suggests the window's name (a folder's .tar) and writes nothing when the dialog is cancelled", async () => {
    const s = setup({ save: { canceled: true } });
    const child = await s.startReady();
    expect(await s.desktop.route('contents:save', { ...args, path: 'etc', name: 'etc.tar' })).toEqual({ ok: true, result: { path: null, bytes: 0 } });
    expect(s.saves[0]!.defaultPath).toBe(join('/home/u/Downloads', 'etc.tar'));
    expect(child.invokes('contents:save')).toEqual([]);
  });
});
