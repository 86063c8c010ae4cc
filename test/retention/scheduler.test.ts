import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src-server/core/errors';
import { silentLogger } from '../../src-server/logger';
import { startRetentionSchedule } from '../../src-server/retention/scheduler';
import { RetentionService } from '../../src-server/retention/service';
import { startApi, type ApiRegistry } from '../api/harness';
import { ManualClock } from '../helpers/manual-clock';
import { pushRandomImage } from '../helpers/push';

// The schedule and the one-run-at-a-time rule on a real registry (loopback HTTP pushes, the real
// index and storage), with the scheduler's clock moved by hand.

const HOUR = 3_600_000;
let api: ApiRegistry;

beforeAll(async () => {
  api = await startApi();
  for (const tag of ['keep1', 'drop1', 'drop2']) await pushRandomImage(api.base, 'app', tag, [512]);
});
afterAll(async () => {
  await api?.close();
});

const tagsOf = (repo: string) => api.services.registry.allTags(repo);

describe('the retention schedule', () => {
  it('runs every `schedule` after start, skips while a run goes on, and follows changes of the file', async () => {
    const clock = new ManualClock();
    const service = new RetentionService({ dataDir: api.dataDir, registry: api.services.registry, deleter: api.services.served, log: silentLogger, now: clock.now });
    service.add({ policy: { name: 'keep-keep', repos: 'app', keepTags: ['^keep'] } });
    service.setSchedule('1h');
    const schedule = startRetentionSchedule(service, silentLogger, clock);
    const start = clock.t;
    expect(schedule.nextRunAt()).toBe(start + HOUR);
    expect(service.listing().nextRun).toBe(new Date(start + HOUR).toISOString());

    clock.advance(HOUR - 1);
    await schedule.idle();
    expect(tagsOf('app')).toEqual(['drop1', 'drop2', 'keep1']);

    clock.advance(1);
    await schedule.idle();
    expect(tagsOf('app')).toEqual(['keep1']);
    expect(service.lastRun()).toMatchObject({ trigger: 'schedule', dryRun: false, startedAt: new Date(start + HOUR).toISOString() });
    expect(service.lastRun()!.tags.map((t) => t.tag).sort()).toEqual(['drop1', 'drop2']);
    expect(schedule.nextRunAt()).toBe(start + 2 * HOUR);

    // A run going on when the time comes: the tick skips it, and the next is one schedule later.
    await pushRandomImage(api.base, 'app', 'drop3', [512]);
    const manual = service.run({ dryRun: true });
    clock.advance(HOUR);
    await manual;
    await schedule.idle();
    expect(tagsOf('app')).toEqual(['drop3', 'keep1']);
    expect(schedule.nextRunAt()).toBe(start + 3 * HOUR);

    // Changed through the API: cleared, then every 2h from the last run.
    service.setSchedule(null);
    expect(schedule.nextRunAt()).toBeNull();
    expect(service.listing().nextRun).toBeNull();
    service.setSchedule('2h');
    expect(schedule.nextRunAt()).toBe(start + HOUR + 2 * HOUR);
    clock.advance(HOUR);
    await schedule.idle();
    expect(tagsOf('app')).toEqual(['keep1']);

    schedule.stop();
    expect(clock.pending).toBe(0);
    expect(service.listing().nextRun).toBeNull();
  });

  it('refuses a second run while one goes on (BUSY), and takes the next one after', async () => {
    const service = new RetentionService({ dataDir: api.dataDir, registry: api.services.registry, log: silentLogger });
    const first = service.run({ dryRun: true });
    expect(service.running).toBe(true);
    let caught: unknown;
    try {
      await service.run({ dryRun: true });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RegistryError);
    expect((caught as RegistryError).code).toBe('BUSY');
    expect((caught as Error).message).toMatch(/a retention run is already going on/);
    await first;
    expect(service.running).toBe(false);
    await expect(service.run({ dryRun: true })).resolves.toMatchObject({ dryRun: true });
  });
});
