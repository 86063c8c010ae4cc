import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreferencesStore } from './preferences';
import { DEFAULT_PREFERENCES, type DesktopPreferences } from './state';

let dir: string;
let file: string;
let warnings: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-prefs-'));
  file = join(dir, 'userData', 'preferences.json');
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const store = () => new PreferencesStore(file, { onWarning: (m) => warnings.push(m) });
const writeRaw = (text: string) => {
  mkdirSync(join(dir, 'userData'), { recursive: true });
  writeFileSync(file, text);
};

describe('PreferencesStore', () => {
  it('gives the defaults without a file and writes nothing', () => {
    expect(store().get()).toEqual(DEFAULT_PREFERENCES);
    expect(warnings).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('creates the folder on set, writes JSON, and a new store reads it back', () => {
    const s = store();
    const result = s.set({ launchAtLogin: true });
    expect(result).toEqual({ ...DEFAULT_PREFERENCES, launchAtLogin: true });
    expect(s.get()).toEqual(result);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(result);
    // No temp file of the atomic write is left behind.
    expect(readdirSync(join(dir, 'userData'))).toEqual(['preferences.json']);

    const again = store();
    expect(again.get()).toEqual({ launchAtLogin: true, startRegistryOnLaunch: true, closeToTrayNoticeShown: false });
    again.set({ startRegistryOnLaunch: false, closeToTrayNoticeShown: true });
    expect(store().get()).toEqual({ launchAtLogin: true, startRegistryOnLaunch: false, closeToTrayNoticeShown: true });
    expect(warnings).toEqual([]);
  });

  it('gives the defaults and one warning for a corrupt file, and set repairs it', () => {
    writeRaw('{"launchAtLogin": tru');
    const s = store();
    expect(s.get()).toEqual(DEFAULT_PREFERENCES);
    expect(s.get()).toEqual(DEFAULT_PREFERENCES);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toContain('not valid JSON');
    s.set({ closeToTrayNoticeShown: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...DEFAULT_PREFERENCES, closeToTrayNoticeShown: true });
  });

  it.each([['[]'], ['null'], ['42'], ['"text"']])('treats %s as not an object', (text) => {
    writeRaw(text);
    expect(store().get()).toEqual(DEFAULT_PREFERENCES);
    expect(warnings).toHaveLength(1);
  });

  it('keeps the valid fields, defaults the wrong-typed ones with one warning naming them', () => {
    writeRaw(JSON.stringify({ launchAtLogin: true, startRegistryOnLaunch: 'no', closeToTrayNoticeShown: 1 }));
    expect(store().get()).toEqual({ launchAtLogin: true, startRegistryOnLaunch: true, closeToTrayNoticeShown: false });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('startRegistryOnLaunch, closeToTrayNoticeShown');
    expect(warnings[0]).not.toContain('launchAtLogin');
  });

  it('drops unknown keys silently, and the next write leaves them out', () => {
    writeRaw(JSON.stringify({ launchAtLogin: true, theme: 'dark', __proto__x: 1 }));
    const s = store();
    expect(s.get()).toEqual({ ...DEFAULT_PREFERENCES, launchAtLogin: true });
    expect(Object.keys(s.get()).sort()).toEqual(Object.keys(DEFAULT_PREFERENCES).sort());
    expect(warnings).toEqual([]);
    s.set({});
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...DEFAULT_PREFERENCES, launchAtLogin: true });
  });

  it('warns instead of throwing when the path cannot be read as a file', () => {
    mkdirSync(file, { recursive: true });
    expect(store().get()).toEqual(DEFAULT_PREFERENCES);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('cannot read');
  });

  it('rejects non-booleans and unknown keys with a TypeError and changes nothing', () => {
    const s = store();
    s.set({ launchAtLogin: true });
    const bad: unknown[] = [{ launchAtLogin: 'yes' }, { startRegistryOnLaunch: 1 }, { closeToTrayNoticeShown: null }, { colour: true }, null, []];
    for (const patch of bad) {
      expect(() => s.set(patch as Partial<DesktopPreferences>)).toThrow(TypeError);
    }
    expect(s.get()).toEqual({ ...DEFAULT_PREFERENCES, launchAtLogin: true });
    expect(store().get()).toEqual({ ...DEFAULT_PREFERENCES, launchAtLogin: true });
  });

  it('ignores undefined values in a patch', () => {
    const s = store();
    s.set({ launchAtLogin: true });
    expect(s.set({ launchAtLogin: undefined, startRegistryOnLaunch: false })).toEqual({
      launchAtLogin: true,
      startRegistryOnLaunch: false,
      closeToTrayNoticeShown: false,
    });
  });

  it('returns preferences the caller cannot change behind its back', () => {
    const s = store();
    const prefs = s.set({ launchAtLogin: true });
    expect(() => {
      (prefs as DesktopPreferences).launchAtLogin = false;
    }).toThrow(TypeError);
    expect(s.get().launchAtLogin).toBe(true);
  });

  it('throws the write error and keeps the old preferences in memory', () => {
    // A file where the folder should be: the folder cannot be created.
    writeFileSync(join(dir, 'userData'), 'not a folder');
    const s = store();
    expect(() => s.set({ launchAtLogin: true })).toThrow();
    expect(s.get()).toEqual(DEFAULT_PREFERENCES);
  });
});
