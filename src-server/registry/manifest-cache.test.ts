import { describe, expect, it } from 'vitest';
import { ManifestCache } from './manifest-cache';

const entry = (bytes: number, mediaType = 'application/vnd.oci.image.manifest.v1+json') => ({ body: Buffer.alloc(bytes, 1), mediaType });

describe('ManifestCache', () => {
  it('returns what was set', () => {
    const c = new ManifestCache(1000);
    const e = entry(10);
    c.set('a', e);
    expect(c.get('a')).toBe(e);
    expect(c.get('b')).toBeUndefined();
  });

  it('evicts the least recently set beyond the byte budget', () => {
    const c = new ManifestCache(1000);
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, entry(250));
    c.set('e', entry(250));
    expect(c.get('a')).toBeUndefined();
    for (const k of ['b', 'c', 'd', 'e']) expect(c.get(k)).toBeDefined();
  });

  it('a get makes an entry recently used', () => {
    const c = new ManifestCache(1000);
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, entry(250));
    expect(c.get('a')).toBeDefined();
    c.set('e', entry(250));
    expect(c.get('a')).toBeDefined();
    expect(c.get('b')).toBeUndefined();
  });

  it('evicts as many as needed for a larger entry', () => {
    const c = new ManifestCache(1000);
    for (const k of ['a', 'b', 'c', 'd', 'e']) c.set(k, entry(200));
    c.set('big', entry(250));
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBeUndefined();
    for (const k of ['c', 'd', 'e', 'big']) expect(c.get(k)).toBeDefined();
  });

  it('does not cache entries larger than a quarter of the budget', () => {
    const c = new ManifestCache(1000);
    c.set('a', entry(100));
    c.set('huge', entry(251));
    expect(c.get('huge')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
  });

  it('setting a digest twice does not count its bytes twice', () => {
    const c = new ManifestCache(1000);
    for (let i = 0; i < 10; i++) c.set('a', entry(250));
    for (const k of ['b', 'c', 'd']) c.set(k, entry(250));
    // 4 x 250 = 1000 fits exactly; nothing was evicted.
    for (const k of ['a', 'b', 'c', 'd']) expect(c.get(k)).toBeDefined();
  });

  it('stays within budget over many inserts', () => {
    const c = new ManifestCache(10_000);
    for (let i = 0; i < 1000; i++) c.set(`k${i}`, entry(100 + (i % 7)));
    let total = 0;
    let count = 0;
    for (let i = 0; i < 1000; i++) {
      const e = c.get(`k${i}`);
      if (e) {
        total += e.body.length;
        count++;
      }
    }
    expect(total).toBeLessThanOrEqual(10_000);
    expect(count).toBeGreaterThan(80);
    expect(c.get('k999')).toBeDefined();
  });
});
