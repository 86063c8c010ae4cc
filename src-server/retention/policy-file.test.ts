import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { compilePolicy, PolicyError } from './policy';
import { MAX_RETENTION_FILE_BYTES, parseRetentionFile, readRetentionFile, writeRetentionFile } from './policy-file';

const dir = mkdtempSync(join(tmpdir(), 'berth-retention-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The message a bad file is refused with (RETENTION_FILE_INVALID). */
function refusal(text: string): string {
  try {
    parseRetentionFile(text, 'retention.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('RETENTION_FILE_INVALID');
    return (err as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('retention.yml', () => {
  it('reads the documented format, and a missing or empty file as no policies', () => {
    const f = parseRetentionFile(
      [
        'schedule: 24h',
        'policies:',
        '  - name: keep-recent',
        '    repos: "team/*"',
        '    keep-last: 10',
        '    keep-newer-than: 30d',
        '    keep-tags: ["^v\\\\d+\\\\.\\\\d+\\\\.\\\\d+$", "^latest$"]',
        '    untagged: true',
        '  - name: sweep',
        '    repos: "team/*"',
        '    untagged: true',
      ].join('\n'),
    );
    expect(f.schedule).toBe('24h');
    expect(f.policies[0]).toEqual({ name: 'keep-recent', repos: 'team/*', keepLast: 10, keepNewerThan: '30d', keepTags: ['^v\\d+\\.\\d+\\.\\d+$', '^latest$'], untagged: true });
    expect(new RegExp(f.policies[0]!.keepTags![0]!).test('v1.2.3')).toBe(true);
    // Overlapping policies (the same repositories) are allowed; one without keep options keeps every tag.
    expect(compilePolicy(f.policies[1]!).keepsAll).toBe(true);
    expect(readRetentionFile(join(dir, 'missing.yml'))).toEqual({ schedule: null, policies: [] });
    expect(parseRetentionFile('')).toEqual({ schedule: null, policies: [] });
  });

  it('writes atomically what it reads back', () => {
    const file = join(dir, 'berth', 'retention.yml');
    const content = { schedule: '12h', policies: [{ name: 'a', repos: 'x/*', keepLast: 0, force: true }, { name: 'b', repos: '*', keepTags: ['^v[0-9]+$', "it's: #odd"] }] };
    writeRetentionFile(file, content);
    expect(readRetentionFile(file)).toEqual(content);
    expect(readFileSync(file, 'utf8')).toMatch(/^# Berth retention policies/);
  });

  it('refuses every bad input with the policy and the key', () => {
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    keep-last: 0\n')).toMatch(/policy a would delete every tag .*--force/);
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    keep-newer-than: 0\n')).toMatch(/policy a would delete every tag/);
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    keep-tags: ["(unclosed"]\n')).toMatch(/policy a: keep-tags: "\(unclosed" is not a valid regular expression/);
    expect(refusal(`policies:\n  - name: a\n    repos: "*"\n    keep-tags: ["${'a'.repeat(257)}"]\n`)).toMatch(/longer than 256/);
    expect(refusal(`policies:\n  - name: a\n    repos: "*"\n    keep-tags: [${Array.from({ length: 33 }, (_, i) => `"t${i}"`).join(',')}]\n`)).toMatch(/at most 32 patterns/);
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    keep-newer-than: 30 days\n')).toMatch(/policy a: keep-newer-than: "30 days" is not a duration/);
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    keep-newer-than: 30\n')).toMatch(/keep-newer-than: "30" is not a duration/);
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    keep-last: -1\n')).toMatch(/policy a: keep-last: -1 is not a whole number/);
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    keep-last: 2.5\n')).toMatch(/keep-last: 2.5/);
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    keep-lats: 3\n')).toMatch(/policy a: unknown key "keep-lats"/);
    expect(refusal('schedual: 24h\n')).toMatch(/unknown key "schedual"/);
    expect(refusal('schedule: 30s\n')).toMatch(/schedule: "30s" is shorter than one minute/);
    expect(refusal('schedule: daily\n')).toMatch(/schedule: "daily" is not a duration/);
    expect(refusal('policies:\n  - name: -a\n    repos: "*"\n')).toMatch(/invalid policy name "-a"/);
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    keep-last: 1\n  - name: a\n    repos: "b"\n    keep-last: 1\n')).toMatch(/policy a: the name is used twice/);
    expect(refusal('policies:\n  - name: a\n    repos: "Team/*"\n')).toMatch(/policy a: repos: "Team\/\*" is not a repository glob/);
    expect(refusal('policies:\n  - name: a\n    repos: "a,b"\n')).toMatch(/repos: "a,b"/);
    expect(refusal('policies:\n  - name: a\n')).toMatch(/policy a: repos: give a repository glob/);
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    untagged: yes please\n')).toMatch(/untagged: must be true or false/);
    expect(refusal('policies: {}\n')).toMatch(/policies: must be a list/);
    expect(refusal('- a\n- b\n')).toMatch(/top level must be a mapping/);
    expect(refusal('policies: [\n')).toMatch(/not valid YAML/);
  });

  it('refuses an alias bomb before it expands, and a file over 1 MiB', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      bomb.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    bomb.push('policies: *i');
    expect(refusal(bomb.join('\n'))).toMatch(/not valid YAML: .*alias/i);
    const big = join(dir, 'big.yml');
    writeFileSync(big, `# ${'x'.repeat(MAX_RETENTION_FILE_BYTES)}\n`);
    expect(() => readRetentionFile(big)).toThrow(/larger than 1048576 bytes/);
  });

  it('allows a policy that keeps nothing with force, and says so without it', () => {
    expect(() => compilePolicy({ name: 'x', repos: '*', keepLast: 0 })).toThrow(PolicyError);
    let caught: unknown;
    try {
      compilePolicy({ name: 'x', repos: '*', keepLast: 0, keepNewerThan: '0' });
    } catch (err) {
      caught = err;
    }
    expect((caught as PolicyError).keepsNothing).toBe(true);
    expect(compilePolicy({ name: 'x', repos: '*', keepLast: 0 }, true).keepLast).toBe(0);
    expect(compilePolicy({ name: 'x', repos: '*', keepLast: 0, keepTags: ['^v'] }).keepTags).toEqual(['^v']);
    expect(compilePolicy({ name: 'x', repos: '*', keepLast: 0, keepNewerThan: '1d' }).keepNewerMs).toBe(86_400_000);
  });
});

describe('retention.yml with hostile keys', () => {
  it('refuses keys that name properties of every object', () => {
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    __proto__: {keep-last: 1}\n')).toMatch(/policy a: unknown key "__proto__"/);
    expect(refusal('policies:\n  - name: a\n    repos: "*"\n    constructor: 1\n')).toMatch(/unknown key "constructor"/);
  });
});
