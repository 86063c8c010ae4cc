import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_SECONDS, TokenCache } from './token-cache';

describe('TokenCache', () => {
  const clock = () => {
    let t = Date.parse('2026-03-01T12:00:00Z');
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('keeps a token per key until shortly before expires_in runs out', () => {
    const c = clock();
    const cache = new TokenCache(c.now);
    cache.set('pull a', 'A', 300);
    cache.set('pull b', 'B', 300);
    expect(cache.get('pull a')).toBe('A');
    expect(cache.get('pull b')).toBe('B');
    expect(cache.get('pull c')).toBeNull();
    c.advance(290_000);
    expect(cache.get('pull a')).toBe('A');
    c.advance(6_000);
    expect(cache.get('pull a')).toBeNull();
  });

  it('assumes 60 s when the service names no lifetime (or a nonsense one)', () => {
    const c = clock();
    const cache = new TokenCache(c.now);
    cache.set('k', 'T');
    cache.set('neg', 'N', -5);
    c.advance(DEFAULT_TOKEN_SECONDS * 1000 - 6_000);
    expect(cache.get('k')).toBe('T');
    expect(cache.get('neg')).toBe('N');
    c.advance(2_000);
    expect(cache.get('k')).toBeNull();
    expect(cache.get('neg')).toBeNull();
  });

  it('counts from issued_at when it is in the past, never from a clock ahead of ours', () => {
    const c = clock();
    const cache = new TokenCache(c.now);
    cache.set('old', 'O', 60, new Date(c.now() - 56_000).toISOString());
    cache.set('future', 'F', 60, new Date(c.now() + 3_600_000).toISOString());
    expect(cache.get('old')).toBeNull();
    c.advance(50_000);
    expect(cache.get('future')).toBe('F');
    c.advance(6_000);
    expect(cache.get('future')).toBeNull();
  });

  it('forgets a token the registry refused', () => {
    const cache = new TokenCache();
    cache.set('k', 'T', 300);
    cache.delete('k');
    expect(cache.get('k')).toBeNull();
  });
});
