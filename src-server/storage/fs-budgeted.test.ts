import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Slots } from '../core/fd-slots';
import { BudgetedReadStream, openHeld, removeTree } from './fs-budgeted';

const dir = mkdtempSync(join(tmpdir(), 'berth-fdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = randomBytes(3 * (1 << 20) + 777);
const file = join(dir, 'blob');
writeFileSync(file, data);

/** Lets queued callbacks and thread-pool completions run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

/** Resolves once someone queues for a slot of `slots` (bounded by the test's timeout). */
async function queuedOn(slots: Slots): Promise<void> {
  while (slots.waiting === 0) await settle();
}

async function readAll(s: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('BudgetedReadStream', () => {
  it('reads a whole file and a range, and gives its slot back at the end', async () => {
    const slots = new Slots(1);
    expect((await readAll(new BudgetedReadStream(file, slots))).equals(data)).toBe(true);
    expect(slots.inUse).toBe(0);
    const range = { start: (1 << 20) - 5, end: 2 * (1 << 20) + 5 };
    expect((await readAll(new BudgetedReadStream(file, slots, range))).equals(data.subarray(range.start, range.end + 1))).toBe(true);
    expect(slots.inUse).toBe(0);
  });

  it('holds nothing until it is read', async () => {
    const slots = new Slots(1);
    const s = new BudgetedReadStream(file, slots);
    await settle();
    expect(slots.inUse).toBe(0);
    s.destroy();
    await finished(s).catch(() => undefined);
    expect(slots.inUse).toBe(0);
  });

  it('gives its slot back when destroyed mid-file', async () => {
    const slots = new Slots(1);
    const s = new BudgetedReadStream(file, slots);
    await new Promise<void>((r) => s.once('data', () => r()));
    expect(slots.inUse).toBe(1);
    s.destroy();
    await new Promise<void>((r) => s.once('close', () => r()));
    expect(slots.inUse).toBe(0);
  });

  it('destroyed while it waits for a slot: takes it later only to give it back, and reports nothing', async () => {
    const slots = new Slots(1);
    const held = await slots.acquire();
    const s = new BudgetedReadStream(file, slots);
    const errors: Error[] = [];
    s.on('error', (e) => errors.push(e));
    s.resume();
    await queuedOn(slots);
    s.destroy();
    held();
    // Granted after the stream's own turn: the stream has given the slot back by then.
    const after = await slots.acquire();
    expect(slots.inUse).toBe(1);
    after();
    expect(errors).toEqual([]);
  });

  it('fails on a missing file and gives its slot back', async () => {
    const slots = new Slots(1);
    await expect(readAll(new BudgetedReadStream(join(dir, 'missing'), slots))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(slots.inUse).toBe(0);
  });
});

describe('openHeld', () => {
  it('holds a slot until closed, once however often close is called', async () => {
    const slots = new Slots(2);
    const f = await openHeld(file, slots);
    expect(f.size).toBe(data.length);
    expect(slots.inUse).toBe(1);
    await f.close();
    await f.close();
    expect(slots.inUse).toBe(0);
  });

  it('gives the slot back when the open fails', async () => {
    const slots = new Slots(1);
    await expect(openHeld(join(dir, 'missing'), slots)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(slots.inUse).toBe(0);
  });
});

describe('removeTree', () => {
  it('removes a deep, wide tree, a single file, and nothing at all', async () => {
    const root = join(dir, 'tree');
    for (let i = 0; i < 50; i++) {
      mkdirSync(join(root, `d${i}`, 'inner', 'deeper'), { recursive: true });
      writeFileSync(join(root, `d${i}`, 'inner', 'deeper', 'f'), 'x');
      writeFileSync(join(root, `d${i}`, 'link'), 'y');
    }
    writeFileSync(join(root, 'top'), 'z');
    const slots = new Slots(1);
    await removeTree(root, slots);
    expect(existsSync(root)).toBe(false);
    expect(slots.inUse).toBe(0);
    const single = join(dir, 'single');
    writeFileSync(single, 'x');
    await removeTree(single, slots);
    expect(existsSync(single)).toBe(false);
    await removeTree(join(dir, 'never-there'), slots);
  });

  it('lists folders only within its slots', async () => {
    const root = join(dir, 'waiting');
    mkdirSync(join(root, 'a'), { recursive: true });
    const slots = new Slots(1);
    const held = await slots.acquire();
    const removal = removeTree(root, slots);
    await queuedOn(slots);
    expect(existsSync(join(root, 'a'))).toBe(true);
    held();
    await removal;
    expect(existsSync(root)).toBe(false);
  });
});
