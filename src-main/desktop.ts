/**
 * The desktop app's controller: the registry process's supervisor, the state the tray shows, the
 * tray's actions, and the route of the GUI's calls. Everything Electron does for it (clipboard,
 * dialogs, notifications, windows, quitting) is passed in, so it runs under plain Node in tests;
 * src-main/index.ts only builds those pieces and hands them over.
 */
import { join } from 'node:path';
import type { CertBundle, Envelope, EventChannel, InvokeChannel, RegistryStatus } from '../src-server/contract';
import type { SecretStore } from '../src-server/connections/secret-store';
import type { HostReady } from '../src-server/host/protocol';
import type { Route } from './ipc';
import type { LaunchAtLogin } from './login-item';
import { offerInitialPassword, registryPasswordAccount, storedPassword, type MessageBoxApi } from './password-offer';
import type { DesktopPreferences } from './state';
import { RegistrySupervisor, type CrashReport, type HostChild, type Timers } from './supervisor';
import type { DesktopState } from './state';
import type { TrayActions } from './tray-menu';
import { saveContents } from './contents-save';
import { exportFromWindow, importFromWindow, windowCopyRefusal } from './archive-save';

/** Electron's save dialog, as far as exporting the bundle and saving an image's files go. */
export interface SaveDialogApi {
  showSaveDialog(opts: { title: string; defaultPath: string; buttonLabel?: string; filters?: { name: string; extensions: string[] }[] }): Promise<{ canceled: boolean; filePath?: string }>;
}

/** Everything the controller needs from Electron and the machine. */
export interface DesktopDeps {
  /** Starts the registry process with these arguments (Electron: utilityProcess.fork). */
  fork(args: string[]): HostChild;
  prefs: { get(): DesktopPreferences; set(patch: Partial<DesktopPreferences>): DesktopPreferences };
  launchAtLogin: LaunchAtLogin;
  /** The OS keychain of the main process (the local admin password), or a store that refuses. */
  keychain: SecretStore;
  clipboard: { writeText(text: string): void };
  dialog: MessageBoxApi & SaveDialogApi;
  notify(title: string, body: string): void;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Where the save dialog opens (the Downloads folder). */
  downloadsDir: string;
  openWindow(): void;
  /** Sends an event of the contract to the app's windows. */
  sendToWindows(channel: EventChannel, payload: unknown): void;
  /** Called with the new state after every change: updates the tray's icon, tooltip and menu. */
  render(state: DesktopState): void;
  /** Quits the app (the controller has shut the registry process down by then). */
  quit(): void;
  /** Where the registry process's log goes. */
  log?: (text: string) => void;
  timers?: Timers;
  /** Extra arguments for every registry process (e.g. `--config FILE`). */
  hostArgs?: string[];
}

/** A running controller. */
export interface Desktop {
  state(): DesktopState;
  /** The route of the GUI's IPC calls. */
  route: Route;
  tray: TrayActions;
  /** Starts the registry process. */
  start(): void;
  /** Stops the registry process (before quitting). */
  shutdown(): Promise<void>;
  supervisor: RegistrySupervisor;
}

/** host:port of a URL (what docker and the client bundle call the registry). */
function authority(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/** Builds the controller. */
export function createDesktop(deps: DesktopDeps): Desktop {
  let loginUser: string | null = null;
  let passwordInKeychain = false;
  // Whether the registry should listen: from the preference at launch, then from the user's start
  // and stop, so a registry process restarted after a crash comes back as it was.
  let wantListening = deps.prefs.get().startRegistryOnLaunch;

  const state = (): DesktopState => ({
    host: supervisor.state,
    registry: supervisor.registry,
    loginUser,
    passwordInKeychain,
    // The OS is the truth for login items (the user may change them in the system settings).
    prefs: { ...deps.prefs.get(), launchAtLogin: deps.launchAtLogin.supported && deps.launchAtLogin.get() },
    launchAtLoginSupported: deps.launchAtLogin.supported,
  });
  const render = () => deps.render(state());

  /** The status the GUI sees while no registry process answers. */
  const downStatus = (): RegistryStatus => ({
    running: false,
    url: null,
    tlsUrl: null,
    startedAt: null,
    error: supervisor.state.error ?? 'the registry process is not running',
    controllable: true,
  });

  const supervisor: RegistrySupervisor = new RegistrySupervisor({
    fork: () => deps.fork([...(deps.hostArgs ?? []), ...(wantListening ? [] : ['--no-listen'])]),
    timers: deps.timers,
    onChange: (host) => {
      render();
      // The process's own status events stop with it: tell the GUI it is down.
      if (host.phase !== 'ready' && host.phase !== 'starting') deps.sendToWindows('registry:status-changed', downStatus());
    },
    onEvent: (channel, payload) => deps.sendToWindows(channel, payload),
    onReady: (ready) => void onReady(ready),
    onInitialPassword: (initial) => void offer(initial, null),
    onCrash: (report: CrashReport) => {
      deps.notify('Berth: the registry stopped', report.message);
      // The process's own lines are in the log already (onStderr), the tail included.
      deps.log?.(`registry process: ${report.message}\n`);
    },
    onStderr: (text) => deps.log?.(text),
  });

  // The first-run password offer in progress: quitting waits for it, or the password would be lost.
  let offering: Promise<unknown> = Promise.resolve();
  function offer(initial: { user: string; password: string }, address: string | null): Promise<unknown> {
    offering = offerInitialPassword({ ...initial, registryAddress: address, dialog: deps.dialog, secrets: deps.keychain, clipboard: deps.clipboard }).catch(
      () => undefined,
    );
    return offering;
  }

  async function refreshStoredPassword(): Promise<void> {
    passwordInKeychain = loginUser !== null && (await storedPassword(deps.keychain, loginUser).catch(() => null)) !== null;
    render();
  }

  async function onReady(ready: HostReady): Promise<void> {
    loginUser = ready.loginUser;
    if (ready.secrets.warning) deps.notify('Berth: no keychain', ready.secrets.warning);
    if (ready.initialPassword) await offer(ready.initialPassword, authority(ready.status.url));
    await refreshStoredPassword();
  }

  /** After the GUI set the login user's password, the keychain's copy follows (if there is one). */
  async function followPasswordChange(payload: unknown): Promise<void> {
    const { name, password } = (payload ?? {}) as { name?: unknown; password?: unknown };
    if (loginUser === null || name !== loginUser || typeof password !== 'string' || !passwordInKeychain) return;
    try {
      await deps.keychain.set(registryPasswordAccount(loginUser), password);
    } catch (err) {
      await deps.keychain.delete(registryPasswordAccount(loginUser)).catch(() => false);
      deps.notify('Berth: keychain not updated', `The keychain still held the old password of ${loginUser}; it was removed (${(err as Error).message}).`);
    }
    await refreshStoredPassword();
  }

  const route: Route = async (channel: InvokeChannel, payload: unknown): Promise<Envelope<unknown>> => {
    const up = supervisor.state.phase === 'ready' || supervisor.state.phase === 'starting';
    if (channel === 'registry:status' && !up) return { ok: true, result: downStatus() };
    if (channel === 'registry:start') {
      wantListening = true;
      if (!up) {
        supervisor.start();
        await supervisor.whenSettled();
      }
    }
    if (channel === 'registry:stop') wantListening = false;
    if (channel === 'contents:save') return saveContents({ dialog: deps.dialog, downloadsDir: deps.downloadsDir, invoke: (c, p) => supervisor.invoke(c, p) }, payload);
    // Files are named by the user in a dialog or by dropping them, never by the window itself.
    const archives = { dialog: deps.dialog, downloadsDir: deps.downloadsDir, invoke: (c: 'archive:export' | 'archive:import', p: unknown) => supervisor.invoke(c, p) };
    if (channel === 'archive:export') return exportFromWindow(archives, payload);
    if (channel === 'archive:import') return importFromWindow(archives, payload);
    if (channel === 'transfer:copy') {
      const refusal = windowCopyRefusal(payload);
      if (refusal) return refusal;
    }
    const answer = await supervisor.invoke(channel, payload);
    if (channel === 'users:set-password' && answer.ok) await followPasswordChange(payload);
    return answer;
  };

  async function exportBundle(): Promise<void> {
    const reg = supervisor.registry;
    const host = authority(reg?.tlsUrl) ?? authority(reg?.url);
    if (!host) {
      deps.notify('Berth: no bundle', 'Start the registry first: the bundle is made for the address it listens on.');
      return;
    }
    const answer = (await supervisor.invoke('cert:bundle', { host })) as Envelope<CertBundle>;
    if (!answer.ok) {
      deps.notify('Berth: the bundle could not be made', answer.error.message);
      return;
    }
    const bundle = answer.result;
    const choice = await deps.dialog.showSaveDialog({
      title: 'Export client certificate bundle',
      defaultPath: join(deps.downloadsDir, bundle.fileName),
      buttonLabel: 'Export',
      filters: [{ name: 'Bundle', extensions: ['tar.gz', 'tgz'] }],
    });
    if (choice.canceled || !choice.filePath) return;
    try {
      await deps.writeFile(choice.filePath, Buffer.from(bundle.base64, 'base64'));
      deps.notify('Berth: bundle exported', `${choice.filePath}: ca.crt and install scripts for ${host}`);
    } catch (err) {
      deps.notify('Berth: the bundle could not be saved', (err as Error).message);
    }
  }

  async function copyPassword(): Promise<void> {
    const user = loginUser;
    const password = user === null ? null : await storedPassword(deps.keychain, user).catch(() => null);
    if (password === null) {
      deps.notify('Berth: no password', `The keychain holds no password for ${user ?? 'the registry'}.`);
      return;
    }
    deps.clipboard.writeText(password);
  }

  const fire = (p: Promise<unknown>) => void p.catch((err: Error) => deps.notify('Berth', err.message));
  const tray: TrayActions = {
    copy: (text) => deps.clipboard.writeText(text),
    startRegistry: () => fire(route('registry:start', undefined)),
    stopRegistry: () => fire(route('registry:stop', undefined)),
    restartRegistry: () => fire(supervisor.restart()),
    openWindow: () => deps.openWindow(),
    copyPassword: () => fire(copyPassword()),
    exportBundle: () => fire(exportBundle()),
    setLaunchAtLogin: (on) => {
      try {
        deps.launchAtLogin.set(on);
        deps.prefs.set({ launchAtLogin: on });
      } catch (err) {
        deps.notify('Berth: launch at login not changed', (err as Error).message);
      }
      render();
    },
    setStartRegistryOnLaunch: (on) => {
      deps.prefs.set({ startRegistryOnLaunch: on });
      render();
    },
    quit: () => deps.quit(),
  };

  return {
    state,
    route,
    tray,
    start: () => supervisor.start(),
    shutdown: async () => {
      await supervisor.stop();
      await offering;
    },
    supervisor,
  };
}
