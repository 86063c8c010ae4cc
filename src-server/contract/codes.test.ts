import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../core/errors';
import { APP_CODES, isCode, isOciCode, OCI_CODES, TRANSPORT_CODES } from './codes';

const ROOT = resolve(import.meta.dirname, '../..');

/** The OCI Distribution spec's error codes and the status registry:2 and Berth answer each with. */
const SPEC: Record<string, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
};

/** Source files of every process (tests excluded). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/**
 * Every code literal the sources send: thrown as a RegistryError, written into an error object
 * (`{ code: 'X', message`), chosen in a ternary for one, failed with by `connections:test`, or a
 * value of a table from reasons to codes (`'last-admin': 'LAST_ADMIN',`).
 */
function emittedCodes(): Map<string, string> {
  const patterns = [/RegistryError\(\s*'([A-Z_]+)'/g, /\bcode: '([A-Z_]+)',\s*message\b/g, /\bcode = [^;]*\? '([A-Z_]+)' : '([A-Z_]+)'/g, /\bfail\('([A-Z_]+)'/g, /return \['([A-Z_]+)', /g, /^\s+'?(?!method\b)[a-z][a-z-]*'?: '([A-Z][A-Z_]+)',$/gm];
  const found = new Map<string, string>();
  for (const file of ['src-server', 'src-main', 'src-renderer/src'].flatMap((d) => sources(join(ROOT, d)))) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) for (const code of m.slice(1)) if (code) found.set(code, file);
  }
  return found;
}

describe('the code table', () => {
  it("has the spec's codes with their statuses", () => {
    for (const [code, status] of Object.entries(SPEC)) expect([code, OCI_CODES[code as keyof typeof OCI_CODES]?.status]).toEqual([code, status]);
  });

  it('holds every code the sources send', () => {
    const found = emittedCodes();
    // The scan must see the codes of each face, or it proves nothing.
    for (const code of ['MANIFEST_UNKNOWN', 'LAST_ADMIN', 'OUTSIDE_CA', 'CSRF', 'CHANNEL_UNKNOWN', 'OFFLINE', 'NOT_A_REGISTRY', 'AUTH_FAILED']) expect(found.has(code), code).toBe(true);
    const unknown = [...found].filter(([code]) => !isCode(code)).map(([code, file]) => `${code} (${file})`);
    expect(unknown).toEqual([]);
  });

  it('gives each code one group only', () => {
    const groups = [OCI_CODES, APP_CODES, TRANSPORT_CODES].flatMap((t) => Object.keys(t));
    expect(groups.length).toBe(new Set(groups).size);
  });

  it("is core's table: a RegistryError's status comes from the contract", () => {
    expect(ERROR_CODES).toEqual({ ...OCI_CODES, ...APP_CODES });
    expect(Object.keys(ERROR_CODES).some((c) => Object.hasOwn(TRANSPORT_CODES, c))).toBe(false);
  });

  it('tells the groups apart at run time', () => {
    expect(isOciCode('BLOB_UNKNOWN')).toBe(true);
    expect(isOciCode('LAST_ADMIN')).toBe(false);
    expect(isCode('LAST_ADMIN')).toBe(true);
    expect(isCode('OFFLINE')).toBe(true);
    expect(isCode('PROJECT_NOT_FOUND')).toBe(false);
    expect(isCode('toString')).toBe(false);
  });
});
