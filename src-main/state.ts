/**
 * The desktop shell's state, as one plain value: what the registry process is doing, what the
 * registry inside it reports, and the user's desktop preferences. The tray, its icon and tooltip are
 * pure functions of it (./tray-menu), so they are tested under Node without Electron.
 */
import { REGISTRY_STOPPED_BY_USER, type RegistryStatus } from '../src-server/contract';

/** The registry process (an Electron utilityProcess) as the supervisor sees it. */
export type HostPhase =
  /** Forked, not yet ready. */
  | 'starting'
  /** Ready: answers invokes; the registry inside may still be stopped (see `registry`). */
  | 'ready'
  /** Asked to shut down (quit, or a restart). */
  | 'stopping'
  /** Not running, as asked. */
  | 'stopped'
  /** Died unexpectedly; a restart is scheduled (see `restartAt`). */
  | 'crashed'
  /** Died or failed to start too often, or could not start at all: waits for the user to restart it. */
  | 'failed';

/** The registry process's state. */
export interface HostState {
  phase: HostPhase;
  /** Why it crashed or failed, in words (with the last lines it wrote to stderr), else null. */
  error: string | null;
  /** Unexpected exits since the last start the user asked for. */
  crashes: number;
  /** When the automatic restart after a crash happens (ms since the epoch), else null. */
  restartAt: number | null;
}

/** Preferences of the desktop app (not of the registry: those are `settings:*` of the contract). */
export interface DesktopPreferences {
  /** Start Berth (hidden, in the tray) when the user logs in. */
  launchAtLogin: boolean;
  /** Start the registry's listeners when Berth starts (else Berth starts with them stopped). */
  startRegistryOnLaunch: boolean;
  /** Whether the "Berth keeps running in the tray" notice was shown once already. */
  closeToTrayNoticeShown: boolean;
}

/** Defaults for a first start. */
export const DEFAULT_PREFERENCES: DesktopPreferences = Object.freeze({
  launchAtLogin: false,
  startRegistryOnLaunch: true,
  closeToTrayNoticeShown: false,
});

/** Everything the tray shows. */
export interface DesktopState {
  host: HostState;
  /** The registry's last reported status (null before the process is first ready). */
  registry: RegistryStatus | null;
  /** The user `docker login` uses (the admin user Berth created), or null when auth is off. */
  loginUser: string | null;
  /** Whether that user's password is in the OS keychain (so the tray can copy it). */
  passwordInKeychain: boolean;
  prefs: DesktopPreferences;
  /** Whether launch at login can be set on this platform and packaging (false in a dev checkout on Linux). */
  launchAtLoginSupported: boolean;
}

/** The tray icon's light: one of three states the issue names, plus a transient one. */
export type TrayLight = 'running' | 'stopped' | 'error' | 'starting';

/**
 * The light for a state: error when the process crashed or failed or the registry reports an
 * error other than a stop the user asked for; running when it listens; starting while forking.
 */
export function trayLight(state: DesktopState): TrayLight {
  const { phase } = state.host;
  if (phase === 'crashed' || phase === 'failed') return 'error';
  if (phase === 'starting') return 'starting';
  if (phase !== 'ready' || !state.registry) return 'stopped';
  if (state.registry.running) return 'running';
  return state.registry.error && state.registry.error !== REGISTRY_STOPPED_BY_USER ? 'error' : 'stopped';
}
