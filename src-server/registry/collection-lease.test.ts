import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsDriver } from '../storage/fs-driver';
import { CollectionLease, LEASE_PATH, LeaseHeldError } from './collection-lease';

const FAST = { pollMs: 50, ttlMs: 600, settleMs: 50 };
const dirs: string[] = [];
const leases: CollectionLease[] = [];

/** Two "instances" on one storage root: each its own driver and lease, as two processes would have. */
function instance(root: string, timings = FAST): { lease: CollectionLease; driver: FsDriver } {
  const driver = new FsDriver(root, { fsync: false });
  const lease = new CollectionLease(driver, timings);
  leases.push(lease);
  return { lease, driver };
}

function storage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-lease-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const l of leases.splice(0)) await l.release().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('CollectionLease', () => {
  it('holds back the writes of another instance until the collection releases it', async () => {
    const root = storage();
    const a = instance(root);
    const b = instance(root);
    await b.lease.waitUntilClear(); // nothing held: at once
    await a.lease.acquire();
    expect(JSON.parse((await a.driver.readFile(LEASE_PATH))!.toString()).holder).toBe(a.lease.id);
    await a.lease.waitUntilClear(); // the collector's own writes never wait

    let cleared = false;
    const waiting = b.lease.waitUntilClear().then(() => (cleared = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(cleared).toBe(false);
    await a.lease.release();
    await waiting;
    expect(cleared).toBe(true);
    expect(await a.driver.readFile(LEASE_PATH)).toBeNull();
  });

  it('keeps a live lease alive by renewing it: another collector is refused, writes keep waiting past the ttl', async () => {
    const root = storage();
    const a = instance(root);
    const b = instance(root);
    await a.lease.acquire();
    await expect(b.lease.acquire()).rejects.toBeInstanceOf(LeaseHeldError);
    // Longer than ttlMs: only renewals keep it live.
    await expect(b.lease.waitUntilClear(FAST.ttlMs * 2)).rejects.toThrow(/garbage collection is running on another instance/);
  });

  it("takes over a dead collector's lease after ttl of silence, and writes go on", async () => {
    const root = storage();
    mkdirSync(join(root, 'berth'), { recursive: true });
    writeFileSync(join(root, LEASE_PATH), JSON.stringify({ holder: 'dead', host: 'h', pid: 1, startedAt: new Date().toISOString(), seq: 7 }));
    const b = instance(root);
    const started = Date.now();
    await b.lease.waitUntilClear();
    expect(Date.now() - started).toBeGreaterThanOrEqual(FAST.ttlMs - 10);
    await b.lease.acquire();
    expect(JSON.parse(readLease(root)).holder).toBe(b.lease.id);
  });

  it('lets only one of two collectors that take the lease at the same moment go on', async () => {
    const root = storage();
    const a = instance(root);
    const b = instance(root);
    const results = await Promise.allSettled([a.lease.acquire(), b.lease.acquire()]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won.length).toBeLessThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LeaseHeldError);
  });

  it('treats an unreadable lease object as no lease', async () => {
    const root = storage();
    mkdirSync(join(root, 'berth'), { recursive: true });
    writeFileSync(join(root, LEASE_PATH), '{"holder": tor');
    const b = instance(root);
    await b.lease.waitUntilClear(10);
    await b.lease.acquire();
    expect(JSON.parse(readLease(root)).holder).toBe(b.lease.id);
  });

  it('does not delete a lease another instance took over', async () => {
    const root = storage();
    const a = instance(root);
    await a.lease.acquire();
    writeFileSync(join(root, LEASE_PATH), JSON.stringify({ holder: 'other', host: 'h', pid: 2, startedAt: new Date().toISOString(), seq: 1 }));
    await a.lease.release();
    expect(JSON.parse(readLease(root)).holder).toBe('other');
  });
});

function readLease(root: string): string {
  return readFileSync(join(root, LEASE_PATH), 'utf8');
}

describe('CollectionLease release during a renewal', () => {
  it('waits for a renewal on its way, so the lease is not written back after it was given up', async () => {
    const root = storage();
    const driver = new FsDriver(root, { fsync: false });
    // Renewals are held until the test lets them go (the first write, the acquire's own, passes).
    let writes = 0;
    let letGo: () => void = () => undefined;
    const held = new Promise<void>((r) => (letGo = r));
    const write = driver.writeFile.bind(driver);
    driver.writeFile = async (path, data) => {
      if (path === LEASE_PATH && ++writes > 1) await held;
      return write(path, data);
    };
    // A short ttl renews every 10 ms.
    const lease = new CollectionLease(driver, { pollMs: 10, ttlMs: 40, settleMs: 10 });
    leases.push(lease);
    await lease.acquire();
    while (writes < 2) await new Promise((r) => setTimeout(r, 5));
    const released = lease.release();
    letGo();
    await released;
    expect(await driver.readFile(LEASE_PATH)).toBeNull();
    // Nothing renews it later either.
    await new Promise((r) => setTimeout(r, 60));
    expect(await driver.readFile(LEASE_PATH)).toBeNull();
  });
});
