/**
 * The sync service and its schedule over a real registry (loopback pushes, the real index and
 * storage), local to local: a job saved through the service runs on its interval with the
 * scheduler's clock moved by hand, skips what is there, refuses a second run of the same job
 * (BUSY), previews in a dry run, and stops on cancel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src-server/core/errors';
import { silentLogger } from '../../src-server/logger';
import { startSyncSchedule } from '../../src-server/sync/scheduler';
import { SyncService } from '../../src-server/sync/service';
import { createRegistryOpener } from '../../src-server/transfer/registry-opener';
import { startApi, type ApiRegistry } from '../api/harness';
import { ManualClock } from '../helpers/manual-clock';
import { pushRandomImage } from '../helpers/push';
import { multiArch } from '../copy/images';
import { LocalSource } from '../../src-server/browse/local-source';

const HOUR = 3_600_000;
let api: ApiRegistry;

beforeAll(async () => {
  api = await startApi();
  for (const tag of ['v1.0.0', 'v1.1.0', 'v2.0.0', 'latest']) await pushRandomImage(api.base, 'team/app', tag, [2048]);
});
afterAll(async () => {
  await api?.close();
});

function service(clock?: ManualClock): SyncService {
  const opener = createRegistryOpener({ dataDir: api.dataDir, served: api.services.served });
  return new SyncService({ dataDir: api.dataDir, opener, log: silentLogger, now: clock?.now, retry: { baseMs: 1 } });
}

const tagsOf = (repo: string) => api.services.registry.allTags(repo) ?? [];

describe('sync jobs', () => {
  it('runs on the interval, skipping what the destination holds', async () => {
    const clock = new ManualClock();
    const sync = service(clock);
    sync.save({ job: { name: 'mirror-v1', source: { connection: 'local', repositories: ['team/*'] }, tags: { semver: '^1' }, destination: { connection: 'local', namespace: 'mirror', stripPrefix: 'team/' }, interval: '1h' } });
    expect(() => sync.save({ job: { name: 'mirror-v1', source: { connection: 'local', repositories: ['x'] }, destination: { connection: 'local', namespace: 'y' } } })).toThrow(/a sync job named mirror-v1 exists/);
    const schedule = startSyncSchedule(sync, silentLogger, clock);
    const start = clock.t;
    expect(sync.listing().jobs[0]!.nextRun).toBe(new Date(start + HOUR).toISOString());

    clock.advance(HOUR - 1);
    await schedule.idle();
    expect(tagsOf('mirror/app')).toEqual([]);

    clock.advance(1);
    await schedule.idle();
    expect(tagsOf('mirror/app')).toEqual(['v1.0.0', 'v1.1.0']);
    const [run] = sync.runHistory({}).runs;
    expect(run).toMatchObject({ jobs: ['mirror-v1'], trigger: 'schedule', outcome: 'done', copied: 2, skipped: 0, failed: 0 });
    expect(sync.listing().jobs[0]!.lastRun?.id).toBe(run!.id);

    clock.advance(HOUR);
    await schedule.idle();
    expect(sync.runHistory({ job: 'mirror-v1' }).runs[0]).toMatchObject({ copied: 0, skipped: 2 });
    schedule.stop();
    expect(sync.listing().jobs[0]!.nextRun).toBeNull();
  });

  it('previews in a dry run, and refuses a second run of the same job', async () => {
    const sync = service();
    sync.save({ job: { name: 'all', source: { connection: 'local', repositories: ['team/app'] }, destination: { connection: 'local', namespace: 'copy' } } });
    const dry = await sync.run({ job: 'all', dryRun: true });
    expect(dry.images?.map((i) => [i.destination.replace(/^[^/]+\//, ''), i.action]).sort()).toEqual([
      ['copy/team/app:latest', 'copy'],
      ['copy/team/app:v1.0.0', 'copy'],
      ['copy/team/app:v1.1.0', 'copy'],
      ['copy/team/app:v2.0.0', 'copy'],
    ]);
    expect(tagsOf('copy/team/app')).toEqual([]);

    const first = sync.run({ job: 'all', operationId: 'op-1' });
    await expect(sync.run({ job: 'all' })).rejects.toMatchObject({ code: 'BUSY' });
    const done = await first;
    expect(done).toMatchObject({ copied: 4, failed: 0 });
    await expect(sync.run({ job: 'nope' })).rejects.toMatchObject({ code: 'SYNC_JOB_UNKNOWN' });
  });

  it('skips a platform choice already synced, by the digest the copy writes', async () => {
    const local = new LocalSource(api.services.served, () => 'localhost');
    const built = await multiArch(local, 'multi/app', 'm1');
    const sync = service();
    for (const [name, platforms] of [['one-platform', ['linux/arm64']], ['two-platforms', ['linux/amd64', 'linux/arm64']]] as const) {
      sync.save({ job: { name, source: { connection: 'local', repositories: ['multi/app'] }, platforms: [...platforms], destination: { connection: 'local', namespace: name } } });
      expect(await sync.run({ job: name })).toMatchObject({ copied: 1, skipped: 0, failed: 0 });
      expect(await sync.run({ job: name })).toMatchObject({ copied: 0, skipped: 1, failed: 0 });
    }
    // One platform: that child image itself; two: a new index of those entries (not the source's).
    expect((await local.headManifest('one-platform/multi/app', 'm1'))?.digest).toBe(built.children.get('linux/arm64')!.digest);
    const two = (await local.headManifest('two-platforms/multi/app', 'm1'))!.digest;
    expect(two).not.toBe(built.digest);
  });

  it('stops on cancel, and counts the run as cancelled', async () => {
    const sync = service();
    sync.save({ job: { name: 'slow', source: { connection: 'local', repositories: ['team/app'] }, destination: { connection: 'local', namespace: 'cancelled' } } });
    let cancelled = false;
    const run = sync.run({ job: 'slow', operationId: 'op-c', proc: 1 }, {
      onProgress: (p) => {
        if (!cancelled && p.imagesDone >= 1) cancelled = sync.cancel('op-c');
      },
    });
    await expect(run).rejects.toSatisfy((e: unknown) => e instanceof RegistryError && e.code === 'CANCELLED');
    expect(cancelled).toBe(true);
    expect(sync.cancel('op-c')).toBe(false);
    expect(tagsOf('cancelled/team/app').length).toBeLessThan(4);
    expect(sync.runHistory({ job: 'slow' }).runs[0]).toMatchObject({ outcome: 'cancelled' });
  });
});
