import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BufferReleaser, exposeMinorGc } from './buffer-release';

const MiB = 1024 * 1024;

describe('BufferReleaser', () => {
  it('collects once every `every` bytes, counting across calls', () => {
    let runs = 0;
    const r = new BufferReleaser(8 * MiB, () => runs++);
    r.streamed(3 * MiB);
    r.streamed(3 * MiB);
    expect(runs).toBe(0);
    r.streamed(3 * MiB);
    expect(runs).toBe(1);
    // The count restarts after a collection: 7 MiB more is not enough, 8 is.
    r.streamed(7 * MiB);
    expect(runs).toBe(1);
    r.streamed(1 * MiB);
    expect(runs).toBe(2);
  });

  it('is a no-op where no collector is available', () => {
    const r = new BufferReleaser(1, null);
    expect(() => r.streamed(10)).not.toThrow();
  });
});

describe('exposeMinorGc', () => {
  it('frees dropped socket-sized buffers at once', async () => {
    const gc = exposeMinorGc();
    expect(gc).toBeTypeOf('function');
    gc!();
    const base = process.memoryUsage().arrayBuffers;
    // 24 MiB in 64 KiB buffers from malloc, as Node's socket reads are, dropped at once.
    (() => {
      for (let i = 0; i < 384; i++) Buffer.allocUnsafeSlow(64 * 1024).fill(i);
    })();
    expect(process.memoryUsage().arrayBuffers - base).toBeGreaterThan(20 * MiB);
    gc!();
    // Backing stores are freed by a background sweeper: wait for it.
    const deadline = Date.now() + 5_000;
    while (process.memoryUsage().arrayBuffers - base > 4 * MiB && Date.now() < deadline) await sleep(10);
    expect(process.memoryUsage().arrayBuffers - base).toBeLessThan(4 * MiB);
  });
});
