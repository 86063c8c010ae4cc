import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverContract, readAll } from '../../test/helpers/driver-contract';
import { FdBudget } from '../core/fd-budget';
import type { Slots } from '../core/fd-slots';
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

/** A budget of one descriptor of each kind. */
const oneOfEach = () => new FdBudget({ limit: 16, reserve: 12, brief: 1, reads: 1, writes: 1, connections: 1 });

// With one slot of each kind, an operation that took a second slot of a kind it holds would wait
// for itself forever: the whole contract passing shows none does.
driverContract('FsDriver with one descriptor of each kind', () => new FsDriver(freshRoot(), { fsync: false, budget: oneOfEach() }));

/** Resolves once someone queues for a slot of `slots` (bounded by the test's timeout). */
async function queuedOn(slots: Slots): Promise<void> {
  while (slots.waiting === 0) await new Promise<void>((r) => setImmediate(r));
}

describe('FsDriver descriptor budget', () => {
  it('small reads, listings and writes wait for a brief slot', async () => {
    const budget = oneOfEach();
    const drv = new FsDriver(freshRoot(), { fsync: false, budget });
    await drv.writeFile('a/link', 'one');
    for (const op of [() => drv.readFile('a/link'), () => drv.list('a'), () => drv.writeFile('b/link', 'two')]) {
      const held = await budget.brief.acquire();
      const pending = op();
      await queuedOn(budget.brief);
      held();
      await pending;
      expect(budget.brief.inUse).toBe(0);
    }
    expect((await drv.readFile('b/link'))!.toString()).toBe('two');
  });

  it('an upload file holds a slot of writes until closed or aborted', async () => {
    const budget = oneOfEach();
    const drv = new FsDriver(freshRoot(), { fsync: false, budget });
    const w = await drv.openAppend('up/data');
    expect(budget.writes.inUse).toBe(1);
    const second = drv.openAppend('up/other');
    await queuedOn(budget.writes);
    await w.write([Buffer.from('x')]);
    await w.close();
    const w2 = await second;
    await w2.abort();
    expect(budget.writes.inUse).toBe(0);
  });

  it('streams and held files take a slot of reads; a reader may open a writer meanwhile', async () => {
    const budget = oneOfEach();
    const drv = new FsDriver(freshRoot(), { fsync: false, budget });
    await drv.writeFile('blob', 'content');
    const held = (await drv.openFile('blob'))!;
    expect(held.size).toBe(7);
    const stream = readAll(drv.createReadStream('blob'));
    await queuedOn(budget.reads);
    // A copy within the registry reads one blob while it writes another: reads, then writes.
    const w = await drv.openAppend('copy/data');
    await w.close();
    await held.close();
    expect((await stream).toString()).toBe('content');
    expect(budget.reads.inUse).toBe(0);
    expect(await drv.openFile('missing')).toBeNull();
    expect(budget.reads.inUse).toBe(0);
  });

  it('deleting a large tree lists it one folder at a time within the brief slots', async () => {
    const budget = oneOfEach();
    const root = freshRoot();
    const drv = new FsDriver(root, { fsync: false, budget });
    await drv.prepare();
    await Promise.all(Array.from({ length: 200 }, (_, i) => drv.writeFile(`repo/_layers/sha256/h${i}/link`, String(i))));
    await drv.delete('repo');
    expect(readdirSync(root).sort()).toEqual(['berth']);
    expect(readdirSync(join(root, 'berth/tmp'))).toEqual([]);
    expect(budget.brief.inUse).toBe(0);
  });
});

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

describe('FsDriver.deleteLeaf', () => {
  it('deletes a one-file folder in place, is quiet when it is gone, and leaves a folder that holds more', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-leaf-'));
    try {
      const d = new FsDriver(dir, { fsync: false });
      await d.writeFile('a/b/data', 'x');
      await d.deleteLeaf('a/b', 'data');
      expect(await d.stat('a/b')).toBeNull();
      expect(await d.list('a')).toEqual([]);
      await expect(d.deleteLeaf('a/b', 'data')).resolves.toBeUndefined();
      await d.writeFile('c/d/link', 'y');
      await d.writeFile('c/d/other', 'z');
      await d.deleteLeaf('c/d', 'link');
      expect((await d.list('c/d')).sort()).toEqual(['other']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
