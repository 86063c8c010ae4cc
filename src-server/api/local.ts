/**
 * Handlers and payload checks of the local registry's channels: status, start/stop, settings,
 * garbage collection, usage (now, by page, over time) and repository deletion.
 */
import type { LocalSettings, LocalSettingsPatch, LocalSettingsResult, RegistryStatus, UsageSortKey } from '../contract';
import { DEFAULT_GC_GRACE_SECONDS, LOCAL_CONNECTION_ID } from '../contract';
import { NotFoundError, RegistryError } from '../core/errors';
import { isValidName } from '../core/names';
import { collectGarbage } from '../gc/collect';
import type { Logger } from '../logger';
import type { Registry } from '../registry/registry';
import { HISTORY_RETENTION_DAYS, type UsageHistory } from '../usage/history';
import { USAGE_PAGE_MAX, usagePage } from '../usage/page';
import { registryUsage, repositoryUsage } from '../usage/usage';
import { ArgsError, isObject, named, none, nullableString, object, optionalBoolean, optionalInteger, optionalString, requiredString, type Checks } from './args-kit';
import type { CoreHandler } from './handler-types';

/**
 * Start, stop and settings of the local registry, as the process hosting it can do them: the
 * headless server (http/control/local-control) or the Electron shell's registry process supervisor.
 */
export interface LocalControl {
  status(): RegistryStatus;
  start(): Promise<RegistryStatus>;
  stop(): Promise<RegistryStatus>;
  getSettings(): Promise<LocalSettings>;
  setSettings(patch: LocalSettingsPatch): Promise<LocalSettingsResult>;
}

/** The channels of this area. */
export type LocalChannel =
  | 'registry:status'
  | 'registry:start'
  | 'registry:stop'
  | 'settings:get'
  | 'settings:set'
  | 'gc:run'
  | 'usage:registry'
  | 'usage:repository'
  | 'repository:delete'
  | 'usage:repositories'
  | 'usage:history';

/** What the local handlers work on. */
export interface LocalDeps {
  registry: Registry;
  log: Logger;
  local?: LocalControl;
  /** Status for a table without start/stop (the control server of a CLI). */
  status?: () => RegistryStatus;
  /** Deletes a repository of a remote connection (the browse service). */
  deleteRemoteRepository?: (connection: string, name: string) => Promise<{ tags: number; manifests: number }>;
  /** The stored bytes over time; a collection adds a point (`usage:history` is unavailable without it). */
  usageHistory?: UsageHistory;
}

/** Builds the handlers of the local registry's channels. */
export function createLocalHandlers(deps: LocalDeps): { [C in LocalChannel]: CoreHandler<C> } {
  const { registry } = deps;
  const status = () => deps.local?.status() ?? deps.status?.() ?? { running: false, url: null, controllable: false };
  const control = (): LocalControl => {
    if (!deps.local) throw new RegistryError('UNSUPPORTED', { message: 'the registry cannot be started, stopped or configured from here' });
    return deps.local;
  };
  return {
    'registry:status': async () => status(),
    'registry:start': () => control().start(),
    'registry:stop': () => control().stop(),
    'settings:get': () => control().getSettings(),
    'settings:set': (patch) => control().setSettings(patch),
    'gc:run': async (args, emit) => {
      const report = await collectGarbage(registry, {
        ...args,
        graceMs: (args.graceSeconds ?? DEFAULT_GC_GRACE_SECONDS) * 1000,
        onProgress: (p) => emit('gc:progress', p),
        log: deps.log,
      });
      // Before answering, so the history a caller asks for next already shows the drop.
      if (!report.dryRun) await deps.usageHistory?.trySample('after garbage collection');
      return report;
    },
    'usage:registry': () => registryUsage(registry),
    'usage:repository': async ({ name }) => {
      assertName(name);
      try {
        return await repositoryUsage(registry, name);
      } catch (err) {
        throw err instanceof NotFoundError ? unknownRepository(name) : err;
      }
    },
    'repository:delete': async ({ name, connection }, _emit, scope) => {
      assertName(name);
      if (connection !== undefined && connection !== LOCAL_CONNECTION_ID) {
        if (!deps.deleteRemoteRepository) throw new RegistryError('UNSUPPORTED', { message: 'remote connections are not available here' });
        return deps.deleteRemoteRepository(connection, name);
      }
      try {
        // Into the trash first, one item per image, naming the GUI's user when known.
        return await registry.deleteRepository(name, { source: 'repository-delete', ...(scope ? { by: scope.user } : {}) });
      } catch (err) {
        throw err instanceof NotFoundError ? unknownRepository(name) : err;
      }
    },
    'usage:repositories': async (args) => usagePage(await registryUsage(registry), args),
    'usage:history': async ({ days }) => {
      if (!deps.usageHistory) throw new RegistryError('UNSUPPORTED', { message: 'the usage history is not kept in this process' });
      return deps.usageHistory.series(days ?? DEFAULT_HISTORY_DAYS);
    },
  };
}

/** Days of history `usage:history` returns unless asked. */
const DEFAULT_HISTORY_DAYS = 365;
const SORT_KEYS: readonly UsageSortKey[] = ['name', 'stored', 'unique', 'shared', 'untagged', 'tags'];

function assertName(name: string): void {
  if (!isValidName(name)) throw new RegistryError('NAME_INVALID', { message: `invalid repository name ${JSON.stringify(name)}`, detail: { name } });
}

function unknownRepository(name: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', { message: `unknown repository ${name}`, detail: { name } });
}

/** Payload checks of this area. */
export const LOCAL_CHECKS: Checks<LocalChannel> = {
  'registry:status': none,
  'registry:start': none,
  'registry:stop': none,
  'settings:get': none,
  'settings:set': (raw) => {
    const o = object(raw, ['listen', 'tlsListen', 'proxy', 'deleteEnabled']);
    const patch: LocalSettingsPatch = {};
    const listen = optionalString(o, 'listen');
    if (listen !== undefined) patch.listen = listen;
    const tls = nullableString(o, 'tlsListen');
    if (tls !== undefined) patch.tlsListen = tls;
    const del = optionalBoolean(o, 'deleteEnabled');
    if (del !== undefined) patch.deleteEnabled = del;
    if (o.proxy === null) patch.proxy = null;
    else if (o.proxy !== undefined) {
      if (!isObject(o.proxy)) throw new ArgsError('proxy must be an object or null');
      const p = object(o.proxy, ['remoteUrl', 'username', 'password']);
      patch.proxy = { remoteUrl: requiredString(p, 'remoteUrl'), username: nullableString(p, 'username'), password: nullableString(p, 'password') };
    }
    return patch;
  },
  'gc:run': (raw) => {
    const o = object(raw, ['dryRun', 'deleteUntagged', 'graceSeconds']);
    const grace = o.graceSeconds;
    if (grace !== undefined && (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0)) {
      throw new ArgsError('graceSeconds must be a number of seconds, 0 or more');
    }
    return { dryRun: optionalBoolean(o, 'dryRun'), deleteUntagged: optionalBoolean(o, 'deleteUntagged'), graceSeconds: grace };
  },
  'usage:registry': none,
  'usage:repository': named,
  'repository:delete': (raw) => {
    const o = object(raw, ['name', 'connection']);
    return { name: requiredString(o, 'name'), connection: optionalString(o, 'connection') };
  },
  'usage:repositories': (raw) => {
    const o = object(raw, ['sort', 'descending', 'offset', 'limit']);
    const sort = optionalString(o, 'sort');
    if (sort !== undefined && !(SORT_KEYS as readonly string[]).includes(sort)) throw new ArgsError(`sort must be one of ${SORT_KEYS.join(', ')}`);
    return {
      sort: sort as UsageSortKey | undefined,
      descending: optionalBoolean(o, 'descending'),
      offset: optionalInteger(o, 'offset', 0, Number.MAX_SAFE_INTEGER),
      limit: optionalInteger(o, 'limit', 1, USAGE_PAGE_MAX),
    };
  },
  'usage:history': (raw) => {
    const o = object(raw, ['days']);
    return { days: optionalInteger(o, 'days', 1, HISTORY_RETENTION_DAYS) };
  },
};
