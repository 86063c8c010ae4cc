import { describe, expect, it } from 'vitest';
import { BlobLedger } from './blob-ledger';

describe('BlobLedger', () => {
  it('lets one copy move a blob while the others of the same repository wait, then skip it', async () => {
    const ledger = new BlobLedger();
    const first = await ledger.advise('dst', 'team/app', 'sha256:a');
    expect(first.kind).toBe('move');
    let second: string | null = null;
    const waiting = ledger.advise('dst', 'team/app', 'sha256:a').then((a) => (second = a.kind));
    await Promise.resolve();
    expect(second).toBeNull();
    (first as { done(ok: boolean): void }).done(true);
    await waiting;
    expect(second).toBe('written');
  });

  it('mounts from a repository the run filled, and moves again after a failed move', async () => {
    const ledger = new BlobLedger();
    const a = await ledger.advise('dst', 'one', 'sha256:b');
    const waiting = ledger.advise('dst', 'two', 'sha256:b');
    (a as { done(ok: boolean): void }).done(true);
    expect(await waiting).toEqual({ kind: 'mount', from: 'one' });

    const failed = await ledger.advise('dst', 'x', 'sha256:c');
    const again = ledger.advise('dst', 'x', 'sha256:c');
    (failed as { done(ok: boolean): void }).done(false);
    expect((await again).kind).toBe('move');
    // Another destination knows nothing of this one's blobs.
    expect((await ledger.advise('other', 'one', 'sha256:b')).kind).toBe('move');
    ledger.record('dst', 'three', 'sha256:d');
    expect(await ledger.advise('dst', 'three', 'sha256:d')).toEqual({ kind: 'written' });
  });
});
