/**
 * Archives from the desktop window, through the controller's route with Electron's dialog and the
 * registry process faked at the edge (as src-main/desktop.test.ts does) and the real filesystem:
 * an export is written where the save dialog says (never where the window says), a cancelled dialog
 * writes nothing, an import takes only a regular file dropped on the window, and a copy from the
 * window names registries only.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MemorySecretStore } from '../../src-server/connections/secret-store';
import type { HostReady, HostRequest } from '../../src-server/host/protocol';
import { suggestedArchiveName } from '../../src-main/archive-save';
import { createDesktop, type DesktopDeps } from '../../src-main/desktop';
import { DEFAULT_PREFERENCES } from '../../src-main/state';
import type { HostChild } from '../../src-main/supervisor';
import { tempDir } from '../helpers/berth-server';
import { ManualClock } from '../helpers/manual-clock';

class FakeChild extends EventEmitter implements HostChild {
  readonly sent: HostRequest[] = [];
  postMessage(message: HostRequest): void {
    this.sent.push(message);
  }
  kill(): boolean {
    return true;
  }
  invokes(channel: string) {
    return this.sent.filter((m): m is Extract<HostRequest, { type: 'invoke' }> => m.type === 'invoke' && m.channel === channel);
  }
  answer(channel: string, envelope: unknown): void {
    const call = this.invokes(channel).at(-1);
    if (!call) throw new Error(`no invoke of ${channel}`);
    this.emit('message', { type: 'result', id: call.id, envelope });
  }
}

const tmp = tempDir('berth-archive-save-');
afterAll(() => tmp.cleanup());

async function setup(save: { canceled: boolean; filePath?: string }) {
  const saves: unknown[] = [];
  let child!: FakeChild;
  const deps: DesktopDeps = {
    fork: () => (child = new FakeChild()),
    prefs: { get: () => DEFAULT_PREFERENCES, set: () => DEFAULT_PREFERENCES },
    launchAtLogin: { supported: false, get: () => false, set() {}, openedAtLogin: () => false },
    keychain: new MemorySecretStore(),
    clipboard: { writeText() {} },
    dialog: {
      showMessageBox: async (o) => ({ response: o.cancelId ?? 0 }),
      showSaveDialog: async (o) => {
        saves.push(o);
        return save;
      },
    },
    notify() {},
    writeFile: async () => {},
    downloadsDir: '/home/u/Downloads',
    openWindow() {},
    sendToWindows() {},
    render() {},
    quit() {},
    timers: new ManualClock(),
  };
  const desktop = createDesktop(deps);
  desktop.start();
  const ready: HostReady = { type: 'ready', status: { running: true, url: 'http://127.0.0.1:5000', tlsUrl: null, controllable: true }, loginUser: null, initialPassword: null, secrets: { kind: 'keychain', warning: null } };
  child.emit('message', ready);
  await vi.waitFor(() => expect(desktop.state().host.phase).toBe('ready'));
  return { desktop, child, saves };
}

const image = { transport: 'registry', connection: 'local', repository: 'team/app', reference: 'v1' };

describe('exporting from the desktop window', () => {
  it('suggests <repo>-<tag>.tar for one image and images.tar for several', () => {
    expect(suggestedArchiveName([image])).toBe('team_app-v1.tar');
    expect(suggestedArchiveName([image, image])).toBe('images.tar');
    expect(suggestedArchiveName([{ ...image, reference: `sha256:${'a'.repeat(64)}` }])).toBe('team_app-latest.tar');
    expect(suggestedArchiveName('junk')).toBe('images.tar');
  });

  it('asks where in a save dialog and has the registry process write there, never where the window says', async () => {
    const s = await setup({ canceled: false, filePath: '/home/u/Downloads/mine.tar' });
    const answer = s.desktop.route('archive:export', { images: [image], format: 'docker', platforms: ['linux/amd64'], out: '/etc/cron.d/evil' });
    await vi.waitFor(() => expect(s.child.invokes('archive:export')).toHaveLength(1));
    expect(s.saves[0]).toMatchObject({ defaultPath: join('/home/u/Downloads', 'team_app-v1.tar'), filters: [{ name: 'Archive', extensions: ['tar'] }] });
    expect(s.child.invokes('archive:export')[0]!.payload).toEqual({ images: [image], format: 'docker', platforms: ['linux/amd64'], out: '/home/u/Downloads/mine.tar' });
    const report = { path: '/home/u/Downloads/mine.tar', format: 'docker', images: [], bytes: 10, leftOut: 0, durationMs: 1 };
    s.child.answer('archive:export', { ok: true, result: report });
    expect(await answer).toEqual({ ok: true, result: report });
  });

  it('answers CANCELLED and exports nothing when the dialog is cancelled', async () => {
    const s = await setup({ canceled: true });
    expect(await s.desktop.route('archive:export', { images: [image] })).toEqual({ ok: false, error: { code: 'CANCELLED', message: 'the export was cancelled: no file was chosen' } });
    expect(s.child.invokes('archive:export')).toEqual([]);
  });
});

describe('importing a file dropped on the desktop window', () => {
  const dir = join(tmp.dir, 'drops');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'images.tar');
  writeFileSync(file, 'not really a tar, the registry process decides');
  const link = join(dir, 'link.tar');
  symlinkSync(file, link);
  const fifo = join(dir, 'pipe.tar');
  execFileSync('mkfifo', [fifo]);

  it('passes a regular file on with only path, to and operationId', async () => {
    const s = await setup({ canceled: true });
    const answer = s.desktop.route('archive:import', { path: file, to: 'team/app', operationId: 'op-1', overwrite: true, extra: '/etc/passwd' });
    await vi.waitFor(() => expect(s.child.invokes('archive:import')).toHaveLength(1));
    expect(s.child.invokes('archive:import')[0]!.payload).toEqual({ path: file, to: 'team/app', operationId: 'op-1' });
    s.child.answer('archive:import', { ok: true, result: { format: 'oci', images: [], imported: 0, failed: 0, durationMs: 1 } });
    expect((await answer).ok).toBe(true);
  });

  it('follows a link to the file it names, and passes that file', async () => {
    const s = await setup({ canceled: true });
    void s.desktop.route('archive:import', { path: link });
    await vi.waitFor(() => expect(s.child.invokes('archive:import')).toHaveLength(1));
    expect(s.child.invokes('archive:import')[0]!.payload).toEqual({ path: file });
  });

  it('refuses a folder, a pipe, a missing file and a relative path, in words, before the registry process hears of them', async () => {
    const s = await setup({ canceled: true });
    const refused = async (path: unknown) => {
      const answer = await s.desktop.route('archive:import', { path });
      expect(answer.ok).toBe(false);
      return answer.ok ? '' : `${answer.error.code}: ${answer.error.message}`;
    };
    expect(await refused(dir)).toBe(`ARCHIVE_INVALID: ${dir} is not a file: drop an OCI or docker archive (.tar)`);
    expect(await refused(fifo)).toBe(`ARCHIVE_INVALID: ${fifo} is not a file: drop an OCI or docker archive (.tar)`);
    expect(await refused(join(dir, 'gone.tar'))).toBe(`ARCHIVE_INVALID: ${join(dir, 'gone.tar')} cannot be read: ENOENT`);
    expect(await refused('images.tar')).toBe('ARGS_INVALID: drop an archive file on the window to import it');
    expect(await refused(42)).toBe('ARGS_INVALID: drop an archive file on the window to import it');
    expect(s.child.invokes('archive:import')).toEqual([]);
  });
});

describe('copying from the desktop window', () => {
  it('refuses a copy that names a file or a host, and passes one between registries', async () => {
    const s = await setup({ canceled: true });
    const toFile = await s.desktop.route('transfer:copy', { from: image, to: { transport: 'oci-archive', path: '/tmp/x.tar' } });
    expect(toFile).toEqual({ ok: false, error: { code: 'DENIED', message: 'the window copies between registries only: files and hosts are named from the berth CLI' } });
    const fromHost = await s.desktop.route('transfer:copy', { from: { transport: 'host', host: 'evil.example', repository: 'x' }, to: image });
    expect(fromHost.ok).toBe(false);
    expect(s.child.invokes('transfer:copy')).toEqual([]);
    void s.desktop.route('transfer:copy', { from: image, to: { ...image, repository: 'team/copy' } });
    await vi.waitFor(() => expect(s.child.invokes('transfer:copy')).toHaveLength(1));
  });
});
