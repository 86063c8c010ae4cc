import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ListingCache, listingCachePath } from './listing-cache';
import type { LayerListing } from './types';

const dir = mkdtempSync(join(tmpdir(), 'berth-listings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `c${++n}`, 'layer-listings.db');

/** A listing that does not compress much: about `files` × 100 bytes stored. */
function listing(files: number): LayerListing {
  return {
    entries: Array.from({ length: files }, (_, i) => ({
      path: `f/${i}`,
      type: 'file' as const,
      size: i,
      mode: 0o644,
      uid: 0,
      gid: 0,
      digest: `sha256:${randomBytes(32).toString('hex')}`,
    })),
    whiteouts: ['gone'],
    opaque: ['var/cache'],
    uncompressedSize: files * 512,
    warnings: ['x skipped: it is odd'],
  };
}

describe('ListingCache', () => {
  it('lives at <data>/berth/layer-listings.db', () => {
    expect(listingCachePath('/data')).toBe(join('/data', 'berth', 'layer-listings.db'));
  });

  it('gives back what was put, also after a reopen from disk', () => {
    const path = fresh();
    const a = listing(10);
    const cache = new ListingCache(path);
    expect(cache.get('sha256:a')).toBeNull();
    cache.put('sha256:a', a);
    expect(cache.get('sha256:a')).toEqual(a);
    cache.close();
    const again = new ListingCache(path);
    expect(again.get('sha256:a')).toEqual(a);
    again.clear();
    expect(again.get('sha256:a')).toBeNull();
    again.close();
  });

  it('stays under its bound by dropping the least recently used listings', () => {
    const stored = gzipSync(JSON.stringify(listing(100))).length;
    const cache = new ListingCache(fresh(), { maxBytes: Math.floor(stored * 3.5) });
    // Three fit, a fourth evicts the least recently used.
    for (const d of ['a', 'b', 'c']) cache.put(`sha256:${d}`, listing(100));
    expect(cache.get('sha256:a')).not.toBeNull(); // a is now more recent than b
    cache.put('sha256:d', listing(100));
    expect(cache.get('sha256:b')).toBeNull();
    for (const d of ['a', 'c', 'd']) expect(cache.get(`sha256:${d}`)).not.toBeNull();
    // A listing bigger than the whole bound is not kept, and evicts nothing.
    cache.put('sha256:huge', listing(1000));
    expect(cache.get('sha256:huge')).toBeNull();
    expect(cache.get('sha256:a')).not.toBeNull();
    cache.close();
  });

  it('treats a row it cannot read as a miss and drops it', () => {
    const path = fresh();
    const cache = new ListingCache(path);
    cache.put('sha256:a', listing(3));
    cache.put('sha256:b', listing(3));
    const db = new Database(path);
    db.prepare(`UPDATE listings_v1 SET body = ? WHERE digest = 'sha256:a'`).run(Buffer.from('not gzip'));
    db.close();
    expect(cache.get('sha256:a')).toBeNull();
    expect(cache.get('sha256:b')).not.toBeNull();
    cache.close();
  });

  it('replaces a file that is not a database', () => {
    const path = fresh();
    new ListingCache(path).close();
    writeFileSync(path, randomBytes(8192));
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    const cache = new ListingCache(path);
    expect(cache.get('sha256:a')).toBeNull();
    cache.put('sha256:a', listing(1));
    expect(cache.get('sha256:a')).not.toBeNull();
    cache.close();
    expect(existsSync(path)).toBe(true);
  });
});
