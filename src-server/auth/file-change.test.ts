import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileChangeCheck } from './file-change';

const dir = mkdtempSync(join(tmpdir(), 'berth-change-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileChangeCheck', () => {
  it('reports each change once, looks at most once per interval, and tells a vanished file apart', () => {
    const path = join(dir, 'watched');
    writeFileSync(path, 'one');
    let now = 0;
    const check = new FileChangeCheck(path, () => now);
    expect(check.poll()).toBe('unchanged');
    writeFileSync(path, 'two, longer');
    expect(check.poll()).toBe('unchanged'); // within the interval: not even looked at
    now += 1000;
    expect(check.poll()).toBe('changed');
    now += 1000;
    expect(check.poll()).toBe('unchanged');
    unlinkSync(path);
    now += 1000;
    expect(check.poll()).toBe('gone');
    now += 1000;
    expect(check.poll()).toBe('unchanged');
    writeFileSync(path, 'back');
    now += 1000;
    expect(check.poll()).toBe('changed');
  });
});
