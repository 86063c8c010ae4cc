import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDigester, digestOf, looksLikeDigest, parseDigest } from './digest';

const hex = (n: number, c = 'a') => c.repeat(n);

describe('parseDigest', () => {
  const valid = [`sha256:${hex(64)}`, `sha256:${'0123456789abcdef'.repeat(4)}`, `sha512:${hex(128, 'f')}`];
  for (const v of valid) {
    it(`accepts ${v.slice(0, 20)}…`, () => {
      const d = parseDigest(v)!;
      expect(d).not.toBeNull();
      expect(d.digest).toBe(v);
      expect(`${d.algorithm}:${d.hex}`).toBe(v);
    });
  }

  const invalid: Array<[string, string]> = [
    ['sha256 too short', `sha256:${hex(63)}`],
    ['sha256 too long', `sha256:${hex(65)}`],
    ['sha256 with sha512 length', `sha256:${hex(128)}`],
    ['sha512 with sha256 length', `sha512:${hex(64)}`],
    ['sha512 too short', `sha512:${hex(127)}`],
    ['uppercase hex', `sha256:${hex(64, 'A')}`],
    ['mixed case hex', `sha256:${hex(63)}B`],
    ['uppercase algorithm', `SHA256:${hex(64)}`],
    ['unknown algorithm', `md5:${hex(32)}`],
    ['sha384 (not accepted)', `sha384:${hex(96)}`],
    ['no algorithm', hex(64)],
    ['empty hex', 'sha256:'],
    ['empty', ''],
    ['non-hex', `sha256:${hex(63)}g`],
    ['whitespace', ` sha256:${hex(64)}`],
    ['trailing newline', `sha256:${hex(64)}\n`],
    ['two colons', `sha256:sha256:${hex(57)}`],
  ];
  for (const [desc, v] of invalid) it(`rejects ${desc}`, () => expect(parseDigest(v)).toBeNull());
});

describe('digestOf and createDigester', () => {
  it('match node:crypto for sha256 and sha512', () => {
    const data = Buffer.from('berth');
    expect(digestOf(data)).toBe(`sha256:${createHash('sha256').update(data).digest('hex')}`);
    expect(digestOf('berth', 'sha512')).toBe(`sha512:${createHash('sha512').update(data).digest('hex')}`);
    expect(createDigester('sha512').update(data).digest('hex')).toHaveLength(128);
    expect(parseDigest(digestOf(data, 'sha512'))).not.toBeNull();
  });
  it('the empty sha256 is the well-known one', () => {
    expect(digestOf('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('looksLikeDigest', () => {
  it('tells digest references from tags by the colon', () => {
    expect(looksLikeDigest('sha256:abc')).toBe(true);
    expect(looksLikeDigest('latest')).toBe(false);
    expect(looksLikeDigest('v1.2.3')).toBe(false);
  });
});
