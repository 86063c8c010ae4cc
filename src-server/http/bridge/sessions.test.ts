import { describe, expect, it } from 'vitest';
import { sameSecret, SessionStore } from './sessions';

describe('SessionStore', () => {
  it('ends a session after the idle limit, and after the absolute limit however busy', () => {
    let now = 0;
    const ended: string[] = [];
    const store = new SessionStore({ idleMs: 100, absoluteMs: 1000, now: () => now, onEnd: (s) => ended.push(s.user) });
    const idle = store.create('idle');
    const busy = store.create('busy');
    now = 90;
    expect(store.get(busy.cookie)?.user).toBe('busy');
    now = 150;
    expect(store.get(idle.cookie)).toBeUndefined();
    expect(ended).toEqual(['idle']);
    for (now = 150; now < 1000; now += 50) expect(store.get(busy.cookie)?.user).toBe('busy');
    now = 1001;
    expect(store.get(busy.cookie)).toBeUndefined();
    expect(ended).toEqual(['idle', 'busy']);
  });

  it('keeps cookies unguessable, logs out, and evicts the least recently used beyond the limit', () => {
    const store = new SessionStore({ maxSessions: 2 });
    const a = store.create('a');
    const b = store.create('b');
    expect(a.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.cookie).not.toBe(b.cookie);
    expect(a.session.csrfToken).not.toBe(b.session.csrfToken);
    // The store holds a hash, never the cookie itself.
    expect(a.session.id).not.toBe(a.cookie);
    store.get(a.cookie);
    store.create('c');
    expect(store.get(b.cookie)).toBeUndefined();
    expect(store.get(a.cookie)?.user).toBe('a');
    store.endCookie(a.cookie);
    expect(store.get(a.cookie)).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
  });

  it('ends all of a user\'s sessions, or all but the caller\'s, and their event streams', () => {
    const ended: string[] = [];
    const store = new SessionStore({ onEnd: (s) => ended.push(s.id) });
    const b1 = store.create('b');
    const b2 = store.create('b');
    const b3 = store.create('b');
    const a = store.create('a');
    expect(store.endUser('b', b3.session.id)).toBe(2);
    expect(ended).toEqual([b1.session.id, b2.session.id]);
    expect(store.get(b1.cookie)).toBeUndefined();
    expect(store.get(b2.cookie)).toBeUndefined();
    expect(store.get(b3.cookie)?.user).toBe('b');
    expect(store.get(a.cookie)?.user).toBe('a');
    expect(store.endUser('b')).toBe(1);
    expect(store.get(b3.cookie)).toBeUndefined();
    expect(store.endUser('nobody')).toBe(0);
    expect(store.size).toBe(1);
  });

  it('compares secrets exactly', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'a')).toBe(false);
  });
});
