import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BrowseCache } from './cache';

const facts = { mediaType: 'm', platforms: ['linux/amd64'], created: null, blobs: [['sha256:a', 3]] as Array<[string, number]>, size: 3 };

describe('BrowseCache', () => {
  it('keeps content by digest per connection, and tag lists only while fresh', () => {
    const c = new BrowseCache(new Database(':memory:'));
    c.putManifest('r1', 'sha256:m', 'application/x', Buffer.from('body'));
    expect(c.manifest('r1', 'sha256:m')).toEqual({ mediaType: 'application/x', body: Buffer.from('body') });
    expect(c.manifest('r2', 'sha256:m')).toBeNull();
    c.putImage('r1', 'sha256:m', facts);
    expect(c.image('r1', 'sha256:m')).toEqual(facts);
    c.putTagList('r1', 'repo', ['a', 'b'], 1000);
    expect(c.tagList('r1', 'repo', 1000)).toEqual({ tags: ['a', 'b'], listedAt: 1000 });
    expect(c.tagList('r1', 'repo', 1001)).toBeNull();
    expect(c.tagCount('r1', 'repo')).toBe(2);
  });

  it('finds tags by digest, and forgets a repository or a whole connection', () => {
    const c = new BrowseCache(new Database(':memory:'));
    for (const [conn, repo, tag, digest] of [['r1', 'a', 'x', 'sha256:1'], ['r1', 'a', 'y', 'sha256:1'], ['r1', 'b', 'z', 'sha256:1'], ['r2', 'a', 'x', 'sha256:1']]) {
      c.putTagHead(conn!, repo!, tag!, { digest: digest!, mediaType: 'm' }, 5);
      c.putTagList(conn!, repo!, [tag!], 5);
    }
    expect(c.tagsWithDigest('r1', 'a', 'sha256:1')).toEqual(['x', 'y']);
    expect(c.tagHead('r1', 'a', 'x', 6)).toBeNull();
    expect(c.tagHead('r1', 'a', 'x', 5)?.digest).toBe('sha256:1');
    c.forget('r1', 'a');
    expect(c.tagsWithDigest('r1', 'a', 'sha256:1')).toEqual([]);
    expect(c.tagList('r1', 'b', 0)).not.toBeNull();
    c.forget('r1');
    expect(c.tagList('r1', 'b', 0)).toBeNull();
    expect(c.tagList('r2', 'a', 0)).not.toBeNull();
  });

  it('forgets repository sizes with the tags they were computed from', () => {
    const c = new BrowseCache(new Database(':memory:'));
    for (const [conn, repo] of [['r1', 'a'], ['r1', 'b'], ['r2', 'a']] as const) c.putRepositorySize(conn, repo, 100, 5);
    c.forget('r1', 'a');
    expect(c.repositorySize('r1', 'a')).toBeNull();
    expect(c.repositorySize('r1', 'b')).toBe(100);
    c.forget('r1');
    expect(c.repositorySize('r1', 'b')).toBeNull();
    expect(c.repositorySize('r2', 'a')).toBe(100);
  });

  it('opens again over an existing database without losing content', () => {
    const db = new Database(':memory:');
    new BrowseCache(db).putConfig('r1', 'sha256:c', { summary: { created: 'x' } as never, history: [] });
    expect(new BrowseCache(db).config('r1', 'sha256:c')?.summary.created).toBe('x');
  });
});
