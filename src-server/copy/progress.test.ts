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
