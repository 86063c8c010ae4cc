/**
 * The local registry's settings saved from the GUI: `<data>/berth/settings.json`. `berth serve`
 * applies them at its next start below flags, environment and the config file (a value set there
 * wins). No secret ever goes into this file: a proxy password belongs in the config file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalSettingsPatch } from '../contract';
import { RegistryError } from '../core/errors';
import { writeFileAtomic } from '../core/files';
import { parseListen } from './listen';
import { isLoopback } from './resolve';
import { DEFAULT_TAG_TTL_MS } from './resolve';
import type { ConfigSources } from './provenance';
import { ConfigError, type BerthConfig } from './types';
import { BERTH_DIR } from '../storage/layout';

/** What settings.json may hold; an absent key leaves the configuration's value. */
export interface SavedSettings {
  listen?: string;
  /** null: no HTTPS listener. */
  tlsListen?: string | null;
  deleteEnabled?: boolean;
  /** null: not a pull-through cache. Never credentials. */
  proxy?: { remoteUrl: string } | null;
}

/** Path of the settings file of a data directory. */
export function settingsPath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'settings.json');
}

const invalid = (message: string, detail?: unknown) => new RegistryError('SETTINGS_INVALID', { message, detail });

/** Checks a `HOST:PORT` listen address; returns it trimmed. */
export function checkListen(value: string, field: string): string {
  try {
    parseListen(value, field);
  } catch (err) {
    throw invalid(err instanceof ConfigError ? err.message : String(err), { field });
  }
  return value.trim();
}

/** Checks an upstream URL: http or https, a host, no credentials, query or fragment. */
export function checkRemoteUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw invalid(`proxy.remoteUrl: ${JSON.stringify(value)} is not a URL (expected e.g. https://registry-1.docker.io)`, { field: 'proxy.remoteUrl' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`proxy.remoteUrl: use http:// or https://, not ${url.protocol}`, { field: 'proxy.remoteUrl' });
  if (url.username || url.password) throw invalid('proxy credentials: use the config file (proxy.username and proxy.password), not the URL', { field: 'proxy.remoteUrl' });
  if (url.search || url.hash) throw invalid('proxy.remoteUrl: no query or fragment', { field: 'proxy.remoteUrl' });
  return (url.origin + url.pathname).replace(/\/+$/, '');
}

/**
 * Turns a GUI patch into the saved form, validating every field. A proxy user name or password
 * is refused: settings.json is not a safe place for them and headless Berth has no keychain.
 */
export function patchToSaved(patch: LocalSettingsPatch): SavedSettings {
  const out: SavedSettings = {};
  if (patch.listen !== undefined) out.listen = checkListen(patch.listen, 'listen');
  if (patch.tlsListen !== undefined) out.tlsListen = patch.tlsListen === null ? null : checkListen(patch.tlsListen, 'tlsListen');
  if (patch.deleteEnabled !== undefined) out.deleteEnabled = patch.deleteEnabled;
  if (patch.proxy === null) out.proxy = null;
  else if (patch.proxy !== undefined) {
    if (patch.proxy.password || patch.proxy.username) {
      throw invalid('proxy credentials: use the config file (proxy.username and proxy.password); Berth does not store them in settings.json', { field: 'proxy' });
    }
    out.proxy = { remoteUrl: checkRemoteUrl(patch.proxy.remoteUrl) };
  }
  return out;
}

/** Reads settings.json ({} when missing); a broken file throws an Error naming it. */
export function readSavedSettings(dataDir: string): SavedSettings {
  const path = settingsPath(dataDir);
  if (!existsSync(path)) return {};
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('expected a JSON object');
    const proxy = raw.proxy as { remoteUrl?: unknown } | null | undefined;
    return patchToSaved({
      listen: raw.listen as string | undefined,
      tlsListen: raw.tlsListen as string | null | undefined,
      deleteEnabled: typeof raw.deleteEnabled === 'boolean' ? raw.deleteEnabled : undefined,
      proxy: proxy === null ? null : proxy === undefined ? undefined : { remoteUrl: String(proxy.remoteUrl) },
    });
  } catch (err) {
    throw new Error(`settings file ${path}: ${(err as Error).message} (fix or delete it)`, { cause: err });
  }
}

/** Writes settings.json atomically. */
export function writeSavedSettings(dataDir: string, s: SavedSettings): void {
  writeFileAtomic(settingsPath(dataDir), `${JSON.stringify(s, null, 2)}\n`, 0o600);
}

/** A resolved configuration with where each value came from (see provenance.ts). */
export interface SourcedConfig {
  config: BerthConfig;
  sources: ConfigSources;
}

/**
 * Applies saved settings to a resolved configuration where nothing more explicit (flag,
 * environment, config file) set them; their sources become `settings`. Refuses a saved listener
 * reachable from the network while auth is off, as resolveConfig does.
 */
export function applySavedSettings(resolved: SourcedConfig, saved: SavedSettings): SourcedConfig & { applied: string[] } {
  const out: BerthConfig = { ...resolved.config };
  const sources: ConfigSources = { ...resolved.sources };
  const applied: string[] = [];
  const take = (key: keyof SavedSettings, shown: string): boolean => {
    if (saved[key] === undefined || sources[key] !== 'default') return false;
    sources[key] = 'settings';
    applied.push(`${key} ${shown}`);
    return true;
  };
  if (take('listen', saved.listen!)) out.listen = parseListen(saved.listen!, 'settings.json listen');
  if (take('tlsListen', saved.tlsListen ?? 'off')) {
    if (saved.tlsListen === null) delete out.tlsListen;
    else out.tlsListen = parseListen(saved.tlsListen!, 'settings.json tlsListen');
  }
  if (take('deleteEnabled', String(saved.deleteEnabled))) out.deleteEnabled = saved.deleteEnabled!;
  if (take('proxy', saved.proxy?.remoteUrl ?? 'off')) {
    if (saved.proxy === null) delete out.proxy;
    else out.proxy = { remoteUrl: saved.proxy!.remoteUrl, tagTtlMs: DEFAULT_TAG_TTL_MS };
  }
  if (out.auth.mode === 'none' && !out.allowOpenNetwork) {
    for (const addr of [out.listen, out.tlsListen]) {
      if (addr && !isLoopback(addr)) {
        throw new ConfigError(`settings.json: ${addr.host ?? '(every interface)'} is reachable from the network and auth is off; turn auth on or change the setting`);
      }
    }
  }
  return { config: out, sources, applied };
}
