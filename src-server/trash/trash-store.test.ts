import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../logger';
import { FsDriver } from '../storage/fs-driver';
import { isExpired, isTrashId, newTrashId, TrashStore, type NewTrashRecord } from './trash-store';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const item = (over: Partial<NewTrashRecord> = {}): NewTrashRecord => ({
  repository: 'team/app',
  digest: D('a'),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  kind: 'tag',
  tags: ['v1'],
  source: 'registry-api',
  manifests: [D('a')],
  blobs: [
    { digest: D('a'), size: 500 },
    { digest: D('b'), size: 1000 },
  ],
  ...over,
});

let root: string;
let now: number;
let warnings: string[];
const log: Logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
const store = (keepMs = 60_000) => new TrashStore(new FsDriver(root, { fsync: false }), { keepMs, log, now: () => now });
const folder = () => join(root, 'berth', 'trash');

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'berth-trash-store-'));
  now = Date.UTC(2026, 11, 7, 12, 0, 0);
  warnings = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('TrashStore', () => {
  it('writes one JSON file per item under berth/trash, lists newest first, reads and removes', async () => {
    const t = store();
    const first = await t.add(item());
    now += 1000;
    const second = await t.add(item({ kind: 'manifest', tags: ['v2', 'latest'], digest: D('c'), manifests: [D('c')], by: 'alice' }));
    expect(readdirSync(folder()).sort()).toEqual([`${first.id}.json`, `${second.id}.json`].sort());
    const onDisk = JSON.parse(readFileSync(join(folder(), `${first.id}.json`), 'utf8'));
    expect(onDisk).toMatchObject({ id: first.id, repository: 'team/app', kind: 'tag', tags: ['v1'], bytes: 1500, deletedAt: '2026-12-07T12:00:00.000Z', expiresAt: '2026-12-07T12:01:00.000Z' });
    expect(second.by).toBe('alice');
    expect((await t.list()).map((r) => r.id)).toEqual([second.id, first.id]);
    expect(await t.read(first.id)).toEqual(first);
    expect(await t.remove(first.id)).toBe(true);
    expect(await t.read(first.id)).toBeNull();
    expect((await t.list()).map((r) => r.id)).toEqual([second.id]);
    expect(await t.remove(first.id)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('ids are time-ordered and of one shape; hostile ids name no path and are never read or removed', async () => {
    const a = newTrashId(1000);
    const b = newTrashId(2000);
    expect(isTrashId(a)).toBe(true);
    expect(a < b).toBe(true);
    const t = store();
    const rec = await t.add(item());
    // A file outside the trash folder that a traversal would reach.
    mkdirSync(join(root, 'berth'), { recursive: true });
    writeFileSync(join(root, 'berth', 'secret.json'), JSON.stringify(rec));
    for (const id of ['../secret', '../../berth/secret', `${rec.id}/../x`, '', rec.id.toUpperCase(), `${rec.id}.json`, '0000000000-aaaaaaaa', '*']) {
      expect(isTrashId(id)).toBe(false);
      expect(await t.read(id)).toBeNull();
      expect(await t.remove(id)).toBe(false);
    }
    expect(readFileSync(join(root, 'berth', 'secret.json'), 'utf8')).toContain(rec.id);
    expect(await t.read(rec.id)).not.toBeNull();
  });

  it('skips a corrupt or foreign file with a warning and lists the rest', async () => {
    const t = store();
    const good = await t.add(item());
    const bad = newTrashId(now);
    writeFileSync(join(folder(), `${bad}.json`), '{ not json');
    const renamed = newTrashId(now);
    writeFileSync(join(folder(), `${renamed}.json`), JSON.stringify({ ...good }));
    const traversing = newTrashId(now);
    writeFileSync(join(folder(), `${traversing}.json`), JSON.stringify({ ...good, id: traversing, repository: '../../etc' }));
    const noBlobs = newTrashId(now);
    writeFileSync(join(folder(), `${noBlobs}.json`), JSON.stringify({ ...good, id: noBlobs, blobs: [{ digest: 'x', size: -1 }] }));
    writeFileSync(join(folder(), 'notes.txt'), 'hello');
    expect((await t.list()).map((r) => r.id)).toEqual([good.id]);
    expect(warnings.join('\n')).toMatch(/not JSON/);
    expect(warnings.join('\n')).toMatch(/its id is not its name/);
    expect(warnings.join('\n')).toMatch(/no valid repository/);
    expect(warnings.join('\n')).toMatch(/invalid blobs/);
    expect(warnings.join('\n')).toMatch(/notes\.txt: not a trash item's name/);
  });

  it('expiry: past trash.keep an item is left out of live listings and dropped', async () => {
    const t = store(10_000);
    const old = await t.add(item());
    now += 6000;
    const young = await t.add(item({ tags: ['v2'] }));
    expect((await t.list({ liveOnly: true })).map((r) => r.id)).toEqual([young.id, old.id]);
    now += 4000;
    expect(isExpired(old, now)).toBe(true);
    expect(isExpired(young, now)).toBe(false);
    expect((await t.list({ liveOnly: true })).map((r) => r.id)).toEqual([young.id]);
    expect((await t.list()).length).toBe(2);
    expect(await t.dropExpired()).toBe(1);
    expect(readdirSync(folder())).toEqual([`${young.id}.json`]);
  });

  it('trash.keep 0 turns the trash off', () => {
    expect(store(0).enabled).toBe(false);
    expect(store(1).enabled).toBe(true);
  });
});
