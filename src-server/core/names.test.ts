import { describe, expect, it } from 'vitest';
import { isValidName, isValidTag, MAX_NAME_LENGTH } from './names';

describe('isValidName', () => {
  const good = ['a', 'library/alpine', 'team/app.v2', 'a-b', 'a--b', 'a__b', 'a_b', 'a.b', 'a/b/c/d', '0', 'x9/y8', `${'a'.repeat(127)}/${'b'.repeat(127)}`];
  for (const n of good) it(`accepts ${n.slice(0, 30)}`, () => expect(isValidName(n)).toBe(true));

  const bad: Array<[string, string]> = [
    ['empty', ''],
    ['uppercase', 'Alpine'],
    ['dot-dot segment', 'a/../b'],
    ['dot-dot alone', '..'],
    ['dot segment', 'a/./b'],
    ['leading slash', '/a'],
    ['trailing slash', 'a/'],
    ['double slash', 'a//b'],
    ['leading dash', '-a'],
    ['trailing dash', 'a-'],
    ['leading dot', '.a'],
    ['trailing dot', 'a.'],
    ['double dot inside', 'a..b'],
    ['triple underscore', 'a___b'],
    ['dot-dash', 'a.-b'],
    ['underscore component', 'a/_manifests'],
    ['encoded slash', 'a%2Fb'],
    ['space', 'a b'],
    ['colon', 'a:b'],
    ['at sign', 'a@b'],
    ['backslash', 'a\\b'],
    ['NUL', 'a\0b'],
    ['over the limit', 'a'.repeat(MAX_NAME_LENGTH + 1)],
  ];
  for (const [desc, n] of bad) it(`rejects ${desc}`, () => expect(isValidName(n)).toBe(false));

  it('the limit is 255 characters', () => {
    expect(MAX_NAME_LENGTH).toBe(255);
    expect(isValidName('a'.repeat(255))).toBe(true);
    expect(isValidName('a'.repeat(256))).toBe(false);
  });
});

describe('isValidTag', () => {
  const good = ['latest', 'v1.2.3', 'v1.2.3-rc_1', 'A', '_x', '0', 'UPPER', 'a'.repeat(128), 'a..b', 'x-'];
  for (const t of good) it(`accepts ${t.slice(0, 30)}`, () => expect(isValidTag(t)).toBe(true));
  const bad = ['', '-x', '.x', 'a'.repeat(129), 'a b', 'a/b', 'a:b', 'a@b', 'a+b', 'é', 'a\n'];
  for (const t of bad) it(`rejects ${JSON.stringify(t).slice(0, 30)}`, () => expect(isValidTag(t)).toBe(false));
});
