import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { globOfPattern, matchesPattern } from '../auth/rules';
import { inScope, scopeParams, type NameScope } from './name-scope';

// Names as registries write them, and names made of the metacharacters of GLOB, LIKE and regular expressions.
const NAMES = [
  'team', 'team/a', 'team/b', 'team/a/b', 'teamx/a', 'other/team/a', 'xteam/a', 't', 'a', 'ab', 'abc', 'a-b_c.d',
  '[', ']', '[]', 'a]b', '[a-z]x', 'team/[ab]', 'team/%', 'team/_a', 'team/*', 'team/?', '*', '?', '^', '\\', 'a\\b', '.', 'a.b', 'aXb',
];
const PATTERNS = [
  '*', '**', '?', '??', 'team/*', 'team/?', 'team*', 't?am/*', '*a', '*/a', 'a*b*c', '*?*', '',
  '[', ']', '[]', '[a-z]*', 'team/[ab]', 'te[!x]m/*', '[^t]*', '*[*', '*]*', 'a]b', 'team\\*', 'a\\b', 'team/%', 'team/_a', 'a.b', '.*', '^*',
];

const db = new Database(':memory:');
afterAll(() => db.close());
db.exec('CREATE TABLE repos (name TEXT PRIMARY KEY)');
const insert = db.prepare('INSERT INTO repos (name) VALUES (?)');
for (const n of NAMES) insert.run(n);
const select = db.prepare(`SELECT name FROM repos r WHERE ${inScope('r.name')} ORDER BY name`).pluck();
const inside = (scope: NameScope) => select.all(...scopeParams(scope)) as string[];
const expected = (patterns: string[]) => [...NAMES].filter((n) => patterns.some((p) => matchesPattern(p, n))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('a rule pattern as a SQLite GLOB', () => {
  it.each(PATTERNS)('%j matches in SQLite exactly the names the rule matches', (pattern) => {
    expect(inside([globOfPattern(pattern)])).toEqual(expected([pattern]));
  });

  it('brackets are literal: a pattern can never become a character class', () => {
    expect(globOfPattern('team/[ab]')).toBe('team/[[]ab[]]');
    expect(inside([globOfPattern('team/[ab]')])).toEqual(['team/[ab]']);
    expect(inside([globOfPattern('[a-z]*')])).toEqual(['[a-z]x']);
  });

  it('several patterns are a union; an empty list is nothing; null is everything', () => {
    expect(inside(['team/*', 'other/*'].map(globOfPattern))).toEqual(expected(['team/*', 'other/*']));
    expect(inside([])).toEqual([]);
    expect(inside(null)).toEqual(expected(['*']));
  });

  it('random patterns over a hostile alphabet agree with the rule matcher', () => {
    let seed = 16;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['a', 'b', '/', '*', '?', '[', ']', '^', '!', '-', '\\', '.', '%', '_'];
    const word = (max: number) => Array.from({ length: Math.floor(next() * max) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const names = Array.from({ length: 200 }, () => word(6));
    const probe = new Database(':memory:');
    try {
      probe.exec('CREATE TABLE repos (name TEXT)');
      const add = probe.prepare('INSERT INTO repos (name) VALUES (?)');
      for (const n of names) add.run(n);
      const q = probe.prepare(`SELECT name FROM repos r WHERE ${inScope('r.name')} ORDER BY rowid`).pluck();
      for (let i = 0; i < 300; i++) {
        const pattern = word(5);
        expect(q.all(...scopeParams([globOfPattern(pattern)])), pattern).toEqual(names.filter((n) => matchesPattern(pattern, n)));
      }
    } finally {
      probe.close();
    }
  });
});
