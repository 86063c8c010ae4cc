import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SyncJob } from '../contract';
import { RegistryError } from '../core/errors';
import { formatSyncFile, MAX_SYNC_FILE_BYTES, parseSyncFile, readSyncFile } from './sync-file';

const job = (extra = ''): string => `jobs:\n  - name: mirror\n    source:\n      connection: upstream\n      repositories: ["team/*"]\n    destination:\n      connection: local\n      namespace: mirror\n${extra}`;

function refusal(text: string): RegistryError {
  try {
    parseSyncFile(text, 'sync.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('SYNC_FILE_INVALID');
    return err as RegistryError;
  }
  throw new Error('the file was accepted');
}

describe('sync.yml', () => {
  it('reads a full job and writes it back the same', () => {
    const text = job('    tags:\n      include: ["^v\\\\d+"]\n      exclude: ["-rc"]\n      semver: ">=1.2 <2"\n      newest: 5\n    platforms: [linux/amd64]\n    referrers: true\n    interval: 6h\n');
    const jobs = parseSyncFile(text);
    expect(jobs).toEqual<SyncJob[]>([
      {
        name: 'mirror',
        source: { connection: 'upstream', repositories: ['team/*'] },
        destination: { connection: 'local', namespace: 'mirror' },
        tags: { include: ['^v\\d+'], exclude: ['-rc'], semver: '>=1.2 <2', newest: 5 },
        platforms: ['linux/amd64'],
        referrers: true,
        interval: '6h',
      },
    ]);
    expect(parseSyncFile(formatSyncFile(jobs))).toEqual(jobs);
  });

  it('holds no jobs when missing or empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sync-file-'));
    try {
      expect(readSyncFile(join(dir, 'sync.yml'))).toEqual([]);
      writeFileSync(join(dir, 'big.yml'), 'x'.repeat(MAX_SYNC_FILE_BYTES + 1));
      expect(() => readSyncFile(join(dir, 'big.yml'))).toThrow(/larger than 1048576 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(parseSyncFile('')).toEqual([]);
  });

  it.each<[string, string, RegExp]>([
    ['an unknown top key', 'policies: []\n', /unknown key "policies" \(use jobs\)/],
    ['an unknown job key', job('    color: red\n'), /sync job mirror: color: unknown key/],
    ['__proto__', job('    __proto__: {}\n'), /sync job mirror: __proto__: unknown key/],
    ['an unknown nested key', job().replace('namespace: mirror', 'namespace: mirror\n      prefix: x'), /sync job mirror: destination\.prefix: unknown key/],
    ['a bad name', job().replace('name: mirror', 'name: "no spaces"'), /sync job "no spaces": name:/],
    ['a bad regex', job('    tags:\n      include: ["(unclosed"]\n'), /sync job mirror: tags\.include: "\(unclosed" is not a regular expression/],
    ['a long regex', job(`    tags:\n      exclude: ["${'a'.repeat(300)}"]\n`), /tags\.exclude: a regular expression must have 1 to 256 characters/],
    ['too many regexes', job(`    tags:\n      include: [${Array.from({ length: 101 }, () => '"a"').join(',')}]\n`), /tags\.include: at most 100/],
    ['a bad semver range', job('    tags:\n      semver: "not a range"\n'), /tags\.semver: "not a range" is not a semver range/],
    ['newest 0', job('    tags:\n      newest: 0\n'), /tags\.newest: must be a whole number from 1/],
    ['a short interval', job('    interval: 30s\n'), /interval: "30s" is shorter than one minute/],
    ['a non-duration', job('    interval: often\n'), /interval: "often" is not a duration/],
    ['a bad glob', job().replace('"team/*"', '"Team/[x]*"'), /source\.repositories: "Team\/\[x\]\*" is not a repository glob/],
    ['a bad namespace', job().replace('namespace: mirror', 'namespace: "Mirror!"'), /destination\.namespace: "Mirror!" is not a valid repository path/],
    ['credentials', job().replace('connection: upstream', 'host: r.example.com\n      access: { username: u, password: p }'), /sync job mirror: source\.access: credentials are never kept in sync\.yml/],
    ['a bad host', job().replace('connection: upstream', 'host: "http://r.example.com"'), /source\.host: "http:\/\/r\.example\.com" is not a registry host/],
    ['a bad platform', job('    platforms: [amd64]\n'), /platforms: "amd64" is not a platform/],
    ['repository for a glob', job().replace('namespace: mirror', 'repository: one/place'), /destination\.repository: takes a job whose source is one repository/],
    ['a tag without one source tag', job().replace('namespace: mirror', 'namespace: mirror\n      tag: latest'), /destination\.tag: renames one tag/],
    ['a copy onto itself', job().replace('connection: upstream', 'connection: local').replace('"team/*"', '"team/app"').replace('      namespace: mirror\n', ''), /team\/app would be copied onto itself/],
    ['a name used twice', job() + job().replace('jobs:\n', ''), /sync job mirror: name: used by two jobs/],
    ['a YAML alias bomb', 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n', /not valid YAML/],
    ['not YAML', 'jobs: [unclosed\n', /not valid YAML/],
    ['a list at the top', '- a\n', /the top level must be a mapping/],
  ])('refuses %s, naming the job and key', (_what, text, message) => {
    expect(refusal(text).message).toMatch(message);
  });
});
