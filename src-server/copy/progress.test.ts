import { describe, expect, it } from 'vitest';
import { ProgressTracker, type CopyProgressEvent } from './progress';

describe('ProgressTracker', () => {
  it('throttles byte events but always reports phases, finished blobs and the end', () => {
    let t = 0;
    const events: CopyProgressEvent[] = [];
    const p = new ProgressTracker((e) => events.push(e), 100, () => t);
    p.phase('resolve');
    p.totals(300, 2);
    p.phase('blobs');
    for (let i = 0; i < 10; i++) {
      t += 10;
      p.bytes('sha256:a', 10);
    }
    // 100 ms after the phase event: one byte event got through.
    expect(events.filter((e) => e.phase === 'blobs')).toHaveLength(2);
    p.blobDone('sha256:a', 100);
    t += 1;
    p.bytes('sha256:b', 50);
    p.blobDone('sha256:b', 50);
    p.phase('manifests');
    p.phase('done');
    expect(events.map((e) => [e.phase, e.bytesDone, e.blobsDone])).toEqual([
      ['resolve', 0, 0],
      ['blobs', 0, 0],
      ['blobs', 100, 0],
      ['blobs', 200, 1],
      ['blobs', 300, 2],
      ['manifests', 300, 2],
      ['done', 300, 2],
    ]);
    expect(events[3]!.current).toBe('sha256:a');
    expect(events[events.length - 1]).toMatchObject({ bytesTotal: 300, blobsTotal: 2, current: null });
  });

  it('works without a listener and hands out snapshots', () => {
    const p = new ProgressTracker(undefined);
    p.totals(5, 1);
    p.blobDone('sha256:x', 5);
    const snap = p.snapshot;
    p.bytes('sha256:y', 1);
    expect(snap).toMatchObject({ bytesDone: 5, blobsDone: 1 });
  });
});

describe('ProgressTracker rate and ETA', () => {
  it('has no rate nor ETA at the start, then the rate of the last seconds and the time left at it', () => {
    let t = 1000;
    const events: CopyProgressEvent[] = [];
    const p = new ProgressTracker((e) => events.push(e), 100, () => t);
    p.phase('resolve');
    p.totals(50_000_000, 2);
    p.phase('blobs');
    expect(events.at(-1)).toMatchObject({ bytesPerSecond: null, etaSeconds: null });
    // 2 MB every 200 ms: 10 MB/s.
    for (let i = 0; i < 4; i++) {
      t += 200;
      p.bytes('sha256:a', 2_000_000);
    }
    // 800 ms in: still no rate, so no ETA either.
    expect(events.at(-1)).toMatchObject({ bytesDone: 8_000_000, bytesPerSecond: null, etaSeconds: null });
    t += 200;
    p.bytes('sha256:a', 2_000_000);
    expect(events.at(-1)).toMatchObject({ bytesDone: 10_000_000, bytesPerSecond: 10_000_000, etaSeconds: 4 });
  });

  it('a mounted blob moves the bar but not the rate; a stall shows in ticks; other phases carry none', () => {
    let t = 0;
    const events: CopyProgressEvent[] = [];
    const p = new ProgressTracker((e) => events.push(e), 100, () => t);
    p.totals(30_000_000, 2);
    p.phase('blobs');
    t += 1000;
    p.bytes('sha256:a', 1_000_000);
    expect(events.at(-1)).toMatchObject({ bytesPerSecond: 1_000_000, etaSeconds: 29 });
    p.blobDone('sha256:m', 20_000_000);
    expect(events.at(-1)).toMatchObject({ bytesDone: 21_000_000, bytesPerSecond: 1_000_000, etaSeconds: 9 });
    t += 5000;
    p.tick();
    expect(events.at(-1)).toMatchObject({ bytesPerSecond: 0, etaSeconds: null });
    p.phase('manifests');
    expect(events.at(-1)).toMatchObject({ phase: 'manifests', bytesPerSecond: null, etaSeconds: null });
    p.tick();
    expect(events.at(-1)!.phase).toBe('manifests');
  });
});
