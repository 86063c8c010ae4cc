import { describe, expect, it } from 'vitest';
import { destinationRepository } from './mapping';
import { createSyncPatternTester, newestFirst, selectTags, versionOf } from './tag-filter';

const tester = createSyncPatternTester(200);

describe('tag filters', () => {
  it('reads versions with an optional v', () => {
    expect(versionOf('v1.2.3')).toBe('1.2.3');
    expect(versionOf('1.2.3-rc.1')).toBe('1.2.3-rc.1');
    expect(versionOf('latest')).toBeNull();
    expect(versionOf('vnext')).toBeNull();
  });

  it('takes include, leaves out exclude, keeps a semver range', () => {
    const tags = ['v1.0.0', 'v1.2.0', '1.9.9', 'v2.0.0', 'v1.5.0-rc.1', 'latest', 'v1.3.0-debug'];
    expect(selectTags('j', tags, { include: ['^v'] }, tester)).toEqual(['v1.0.0', 'v1.2.0', 'v2.0.0', 'v1.5.0-rc.1', 'v1.3.0-debug']);
    expect(selectTags('j', tags, { include: ['^v'], exclude: ['-rc', 'debug'] }, tester)).toEqual(['v1.0.0', 'v1.2.0', 'v2.0.0']);
    expect(selectTags('j', tags, { semver: '>=1.2 <2' }, tester)).toEqual(['v1.2.0', '1.9.9']);
    expect(selectTags('j', tags, undefined, tester)).toEqual(tags);
  });

  it('takes the newest N by version, else in natural order', () => {
    expect(newestFirst(['v1.10.0', 'v1.9.0', 'v1.2.0', '2.0.0'])).toEqual(['2.0.0', 'v1.10.0', 'v1.9.0', 'v1.2.0']);
    expect(newestFirst(['build-9', 'build-10', 'build-2', 'latest'])).toEqual(['latest', 'build-10', 'build-9', 'build-2']);
    expect(selectTags('j', ['v1.10.0', 'v1.9.0', 'v1.2.0', 'v0.1.0'], { newest: 2 }, tester)).toEqual(['v1.10.0', 'v1.9.0']);
    expect(selectTags('j', ['v9', 'v10', 'v8'], { newest: 1 }, tester)).toEqual(['v10']);
  });

  it('stops a pattern that runs away, naming the job', () => {
    const evil = ['a'.repeat(40) + '!'];
    expect(() => selectTags('slow-job', evil, { include: ['^(a+)+$'] }, tester)).toThrow(/sync job slow-job: the tag pattern "\^\(a\+\)\+\$" took longer than 200 ms/);
  });
});

describe('destination mapping', () => {
  it('strips a prefix, then puts the namespace before the rest', () => {
    expect(destinationRepository({ namespace: 'mirror', stripPrefix: 'team/' }, 'team/app/x')).toBe('mirror/app/x');
    expect(destinationRepository({ namespace: 'mirror', stripPrefix: 'team' }, 'team/app')).toBe('mirror/app');
    expect(destinationRepository({ namespace: 'mirror/' }, 'other/app')).toBe('mirror/other/app');
    expect(destinationRepository({ stripPrefix: 'team/' }, 'else/app')).toBe('else/app');
    expect(destinationRepository({}, 'app')).toBe('app');
    expect(destinationRepository({ repository: 'exact/one', namespace: 'ignored' }, 'app')).toBe('exact/one');
  });
});
