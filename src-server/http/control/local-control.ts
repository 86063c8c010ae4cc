/**
 * Start, stop and settings of the registry inside the process that serves it: `berth serve --ui`,
 * where stopping keeps the listeners (the GUI and its bridge live on them) and every `/v2/...`
 * request answers 503 UNAVAILABLE until the registry is started again; and the desktop app's
 * registry process, where start and stop open and close the listeners. Settings go to settings.json and apply at the
 * next start of `berth serve`, unless a flag, the environment or the config file sets them: those
 * are shown as they run and refused as changes (issue 17).
 */
import { REGISTRY_STOPPED_BY_USER, type LocalSettings, type LocalSettingsPatch, type LocalSettingsResult, type RegistryStatus } from '../../contract';
import type { LocalControl } from '../../api/local';
import { formatAuthority, parseListen } from '../../config/listen';
import type { BerthConfig, ListenAddress } from '../../config/types';
import { RegistryError } from '../../core/errors';
import type { Logger } from '../../logger';
import { describeS3 } from '../../storage/s3-options';
import { patchToSaved, readSavedSettings, writeSavedSettings, type SavedSettings } from '../../config/saved-settings';
import type { ConfigSources } from '../../config/provenance';
import { fixedSettings, SETTING_KEYS, type FixedSetting, type SettingKey } from '../../config/settings-origin';
import { interfaceAddresses, lookupAddresses, lowestUnprivilegedPort, startProblem } from '../../config/settings-startable';

/** What the headless control needs. */
export interface ServerLocalControlDeps {
  /** The configuration the server runs with. */
  config: BerthConfig;
  /** Where each of its values came from: a setting a flag, the environment or the file sets is not the GUI's to change. */
  sources: ConfigSources;
  /** The `--config` file, named in refusals of what it sets. */
  configFile?: string;
  /** The listeners' URLs. */
  urls: () => { url: string; tlsUrl: string | null };
  /** Told of every start and stop (the bridge broadcasts it as `registry:status-changed`). */
  onStatusChanged?: (status: RegistryStatus) => void;
  log: Logger;
  now?: () => Date;
  /**
   * The listeners, when start and stop should open and close them (the desktop's registry process
   * frees the port when stopped). Without it the listeners stay up and `/v2` answers 503.
   */
  listeners?: ListenerSwitch;
  /** Whether the registry counts as running from the start (default true: the listeners are up). */
  running?: boolean;
  /** True when this process serves the GUI over HTTP (`berth serve --ui`): its exposure rule applies to saved addresses. */
  guiOverHttp?: boolean;
  /** This machine's addresses (tests give a fixed list). */
  machineAddresses?: () => string[];
  /** Resolves a host name (tests answer without DNS). */
  lookup?: (host: string) => Promise<string[]>;
  /** Ports below this need privileges this process lacks (tests choose). */
  lowestUnprivilegedPort?: () => number;
}

/** Opens and closes the registry's listeners. */
export interface ListenerSwitch {
  /** Listens; throws with a message for people (e.g. the address is in use). */
  open(): Promise<void>;
  close(): Promise<void>;
}

/** The message of a `/v2` request while stopped. */
export const STOPPED_MESSAGE = 'the registry was stopped from Berth; start it again from the GUI';

const sameAddress = (a: ListenAddress | undefined, b: ListenAddress | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.host === b.host && a.port === b.port);

/** True when `s` holds a value for `key` other than the one the configuration runs with. */
function differsFromRunning(key: SettingKey, s: SavedSettings, c: BerthConfig): boolean {
  switch (key) {
    case 'listen':
      return s.listen !== undefined && !sameAddress(parseListen(s.listen, 'listen'), c.listen);
    case 'tlsListen':
      return s.tlsListen !== undefined && !sameAddress(s.tlsListen === null ? undefined : parseListen(s.tlsListen, 'tlsListen'), c.tlsListen);
    case 'deleteEnabled':
      return s.deleteEnabled !== undefined && s.deleteEnabled !== c.deleteEnabled;
    case 'proxy':
      return s.proxy !== undefined && (s.proxy?.remoteUrl ?? null) !== (c.proxy?.remoteUrl ?? null);
  }
}

/** The form field a refusal names for each setting (the proxy's is its URL). */
const REFUSED_FIELD: Record<SettingKey, string> = { listen: 'listen', tlsListen: 'tlsListen', deleteEnabled: 'deleteEnabled', proxy: 'proxy.remoteUrl' };

/** The LocalControl of `berth serve --ui` and of the desktop app's registry process. */
export class ServerLocalControl implements LocalControl {
  private running: boolean;
  private startedAt: Date;
  /** Why the last start failed (null after a stop the user asked for). */
  private failure: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;
  /** The settings a flag, the environment or the config file sets, with why. */
  private readonly fixed: Partial<Record<SettingKey, FixedSetting>>;

  constructor(private readonly deps: ServerLocalControlDeps) {
    this.now = deps.now ?? (() => new Date());
    this.fixed = fixedSettings(deps.sources, deps.configFile);
    this.startedAt = this.now();
    this.running = deps.running ?? true;
  }

  /** Throws 503 UNAVAILABLE while stopped (the gate in front of `/v2`). */
  assertRunning(): void {
    if (!this.running) throw new RegistryError('UNAVAILABLE', { message: STOPPED_MESSAGE });
  }

  status(): RegistryStatus {
    const { url, tlsUrl } = this.deps.urls();
    return {
      running: this.running,
      url: this.running ? url : null,
      tlsUrl: this.running ? tlsUrl : null,
      dataDir: this.deps.config.dataDir,
      bucket: this.deps.config.s3 ? describeS3(this.deps.config.s3) : null,
      startedAt: this.running ? this.startedAt.toISOString() : null,
      error: this.running ? null : (this.failure ?? REGISTRY_STOPPED_BY_USER),
      controllable: true,
      whileStopped: this.deps.listeners ? 'closed' : 'unavailable',
    };
  }

  /** Runs start and stop one at a time: a double click must not open the listeners twice. */
  private serial(fn: () => Promise<RegistryStatus>): Promise<RegistryStatus> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  start(): Promise<RegistryStatus> {
    return this.serial(() => this.startNow());
  }

  stop(): Promise<RegistryStatus> {
    return this.serial(() => this.stopNow());
  }

  private async startNow(): Promise<RegistryStatus> {
    if (!this.running) {
      try {
        await this.deps.listeners?.open();
      } catch (err) {
        // Reported in the status (the tray turns red), not thrown: the GUI shows why and can retry.
        this.failure = (err as Error).message;
        this.deps.log.warn(`registry not started: ${this.failure}`);
        this.changed();
        return this.status();
      }
      this.failure = null;
      this.running = true;
      this.startedAt = this.now();
      this.deps.log.info('registry started from the GUI');
      this.changed();
    }
    return this.status();
  }

  private async stopNow(): Promise<RegistryStatus> {
    if (this.running) {
      this.running = false;
      this.failure = null;
      await this.deps.listeners?.close();
      this.deps.log.info(
        this.deps.listeners ? 'registry stopped from Berth: its listeners are closed' : 'registry stopped from the GUI: /v2 answers 503 until it is started again',
      );
      this.changed();
    }
    return this.status();
  }

  private changed(): void {
    this.deps.onStatusChanged?.(this.status());
  }

  /**
   * The settings in force at the next start: the saved ones over those running now, except where a
   * flag, the environment or the config file sets them (the next start keeps those).
   */
  async getSettings(): Promise<LocalSettings> {
    return this.view(this.saved());
  }

  /**
   * Saves the patch for the next start, after checking that the next start would use it and could
   * listen where it says (SETTINGS_INVALID naming the field otherwise, and nothing is written). A
   * change of a value a flag, the environment or the config file sets is refused with where to
   * change it; the value it already has is no change, and is not saved.
   */
  async setSettings(patch: LocalSettingsPatch): Promise<LocalSettingsResult> {
    const change = this.withoutFixed(patchToSaved(patch));
    const saved = { ...this.saved(), ...change };
    const next = this.view(saved);
    const c = this.deps.config;
    const problem = await startProblem(
      { listen: next.listen, tlsListen: next.tlsListen, changed: { listen: change.listen !== undefined, tlsListen: change.tlsListen !== undefined } },
      {
        openNetworkRefused: c.auth.mode === 'none' && !c.allowOpenNetwork,
        guiOverHttp: this.deps.guiOverHttp === true,
        mainListenerTls: c.tls !== undefined,
        machineAddresses: this.deps.machineAddresses ?? interfaceAddresses,
        lookup: this.deps.lookup ?? lookupAddresses,
        lowestUnprivilegedPort: this.deps.lowestUnprivilegedPort ?? lowestUnprivilegedPort,
      },
    );
    if (problem) throw new RegistryError('SETTINGS_INVALID', { message: problem.message, detail: { field: problem.field } });
    writeSavedSettings(c.dataDir, saved);
    const restartRequired = SETTING_KEYS.some((k) => !this.fixed[k] && differsFromRunning(k, saved, c));
    return { settings: this.view(saved), restartRequired };
  }

  /** The change without the settings set from outside; throws if it would change one of them. */
  private withoutFixed(change: SavedSettings): SavedSettings {
    const out = { ...change };
    for (const key of SETTING_KEYS) {
      const fixed = this.fixed[key];
      if (!fixed || out[key] === undefined) continue;
      if (differsFromRunning(key, out, this.deps.config)) {
        throw new RegistryError('SETTINGS_INVALID', { message: fixed.message, detail: { field: REFUSED_FIELD[key] } });
      }
      delete out[key];
    }
    return out;
  }

  private saved(): SavedSettings {
    try {
      return readSavedSettings(this.deps.config.dataDir);
    } catch (err) {
      throw new RegistryError('SETTINGS_INVALID', { message: (err as Error).message });
    }
  }

  private view(all: SavedSettings): LocalSettings {
    const c = this.deps.config;
    // A saved value the next start will not use is not shown as if it would be.
    const saved = { ...all };
    for (const key of SETTING_KEYS) if (this.fixed[key]) delete saved[key];
    const fixed = Object.entries(this.fixed);
    const proxy: { remoteUrl: string; username?: string } | null | undefined = saved.proxy !== undefined ? saved.proxy : c.proxy;
    return {
      listen: saved.listen ?? formatAuthority(c.listen.host, c.listen.port),
      tlsListen: saved.tlsListen !== undefined ? saved.tlsListen : c.tlsListen ? formatAuthority(c.tlsListen.host, c.tlsListen.port) : null,
      dataDir: c.dataDir,
      proxy: proxy ? { remoteUrl: proxy.remoteUrl, username: proxy.username ?? null } : null,
      deleteEnabled: saved.deleteEnabled ?? c.deleteEnabled,
      authMode: c.auth.mode,
      ...(fixed.length > 0 ? { fixed: Object.fromEntries(fixed.map(([k, f]) => [k, f.where])) } : {}),
    };
  }
}
