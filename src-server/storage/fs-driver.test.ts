import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverContract } from '../../test/helpers/driver-contract';
import { FsDriver } from './fs-driver';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const freshRoot = () => {
  const r = mkdtempSync(join(tmpdir(), 'berth-fsdrv-'));
  roots.push(r);
  return r;
};

driverContract('FsDriver', () => new FsDriver(freshRoot(), { fsync: false }));
driverContract('FsDriver with fsync', () => new FsDriver(freshRoot()));

describe('FsDriver specifics', () => {
  it('refuses paths that escape the root', async () => {
    const root = freshRoot();
    const drv = new FsDriver(root);
    expect(() => drv.localPath('../outside')).toThrow(/escapes/);
    expect(() => drv.localPath('a/../../outside')).toThrow(/escapes/);
    await expect(drv.writeFile('../../evil', 'x')).rejects.toThrow(/escapes/);
    expect(drv.localPath('a/b')).toBe(join(root, 'a/b'));
  });

  it('writes under the root only, staging in berth/tmp and leaving nothing there', async () => {
    const root = freshRoot();
    const drv = new FsDriver(root, { fsync: false });
    await drv.prepare();
    await drv.writeFile('docker/registry/v2/x', 'y');
    expect(readdirSync(root).sort()).toEqual(['berth', 'docker']);
    expect(readdirSync(join(root, 'berth/tmp'))).toEqual([]);
  });

  it('creates a new folder tree only together with its file (never an empty folder)', async () => {
    const root = freshRoot();
    const drv = new FsDriver(root, { fsync: false });
    await drv.prepare();
    await drv.writeFile('repo/_manifests/tags/v1/current/link', 'sha256:x');
    expect(readFileSync(join(root, 'repo/_manifests/tags/v1/current/link'), 'utf8')).toBe('sha256:x');
    // Concurrent writers racing to create the same new folders all land.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => drv.writeFile(`race/_layers/sha256/h${i % 3}/f${i}/link`, String(i))),
    );
    for (let i = 0; i < 20; i++) {
      expect(readFileSync(join(root, `race/_layers/sha256/h${i % 3}/f${i}/link`), 'utf8')).toBe(String(i));
    }
    expect(readdirSync(join(root, 'berth/tmp'))).toEqual([]);
  });

  it('deletes a folder in one step and prepare() clears interrupted staging', async () => {
    const root = freshRoot();
    const drv = new FsDriver(root, { fsync: false });
    await drv.prepare();
    await drv.writeFile('t/_manifests/tags/v1/current/link', 'a');
    await drv.writeFile('t/_manifests/tags/v1/index/sha256/ab/link', 'a');
    await drv.delete('t/_manifests/tags/v1');
    expect(readdirSync(join(root, 't/_manifests/tags'))).toEqual([]);
    expect(readdirSync(join(root, 'berth/tmp'))).toEqual([]);
    writeFileSync(join(root, 'berth/tmp/left-by-a-kill'), 'partial');
    await drv.prepare();
    expect(readdirSync(join(root, 'berth/tmp'))).toEqual([]);
  });

  it('makes the staging folder once, and again if it vanished while running', async () => {
    const root = freshRoot();
    const drv = new FsDriver(root, { fsync: false });
    await drv.writeFile('a/link', 'one');
    rmSync(join(root, 'berth/tmp'), { recursive: true });
    await drv.writeFile('b/link', 'two');
    expect(readFileSync(join(root, 'b/link'), 'utf8')).toBe('two');
    rmSync(join(root, 'berth/tmp'), { recursive: true });
    await drv.delete('a');
    expect(readdirSync(root).sort()).toEqual(['b', 'berth']);
    await drv.delete('no/such/thing');
  });
});
