import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OriginStore } from './origin-store';

describe('OriginStore', () => {
  let dir: string;
  let store: OriginStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-origins-'));
    store = new OriginStore(join(dir, 'origins.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the first origin of a blob: a later push of cached bytes does not rewrite it', () => {
    store.recordBlob('sha256:aa', 'cached', 'https://up.example', 1000);
    store.recordBlob('sha256:aa', 'pushed', null, 2000);
    expect(store.blob('sha256:aa')).toEqual({ source: 'cached', upstream: 'https://up.example', at: 1000 });
    expect(store.blob('sha256:bb')).toBeNull();
    store.forgetBlob('sha256:aa');
    expect(store.blob('sha256:aa')).toBeNull();
  });

  it('records manifests per repository', () => {
    store.recordManifest('a', 'sha256:m', 'pushed', null, 5);
    expect(store.manifest('a', 'sha256:m')).toEqual({ source: 'pushed', upstream: null, at: 5 });
    expect(store.manifest('b', 'sha256:m')).toBeNull();
    expect([...store.manifestsOf('a').keys()]).toEqual(['sha256:m']);
  });

  it('replaces a tag origin when the tag moves, and notes upstream checks separately', () => {
    store.recordTag('a', 'latest', 'sha256:1', 'cached', 'https://up', 10);
    expect(store.tag('a', 'latest')).toEqual({ digest: 'sha256:1', source: 'cached', upstream: 'https://up', at: 10, checkedAt: 10 });
    store.markTagChecked('a', 'latest', 50);
    expect(store.tag('a', 'latest')!.checkedAt).toBe(50);
    expect(store.tag('a', 'latest')!.at).toBe(10);
    store.recordTag('a', 'latest', 'sha256:2', 'pushed', null, 60);
    expect(store.tag('a', 'latest')).toEqual({ digest: 'sha256:2', source: 'pushed', upstream: null, at: 60, checkedAt: 60 });
    expect(store.tagsOf('a').get('latest')!.digest).toBe('sha256:2');
    store.forgetTag('a', 'latest');
    expect(store.tag('a', 'latest')).toBeNull();
  });

  it('remembers that a tag once pointed at a manifest, after the tag is gone', () => {
    store.recordManifest('a', 'sha256:m', 'pushed');
    expect(store.wasTagged('a', 'sha256:m')).toBe(false);
    store.markTagged('a', 'sha256:m');
    store.forgetTag('a', 'latest');
    expect(store.wasTagged('a', 'sha256:m')).toBe(true);
    expect(store.wasTagged('b', 'sha256:m')).toBe(false);
  });

  it('forgets a whole repository, and survives a reopen', () => {
    store.recordTag('a', 'v1', 'sha256:1', 'pushed');
    store.recordManifest('a', 'sha256:1', 'pushed');
    store.recordTag('b', 'v1', 'sha256:1', 'pushed');
    store.forgetRepository('a');
    expect(store.tagsOf('a').size).toBe(0);
    expect(store.manifestsOf('a').size).toBe(0);
    store.close();
    store = new OriginStore(join(dir, 'origins.db'));
    expect(store.tag('b', 'v1')!.digest).toBe('sha256:1');
  });
});
