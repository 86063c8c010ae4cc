import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../contract/audit';
import { AuditLog, auditLogPath, type AuditActor } from './audit-log';
import { decodeAuditCursor, parseAuditLine, readAuditForward, readAuditPage } from './audit-reader';
import { linesFromEnd, linesFromStart, MAX_LINE_BYTES } from './lines';

const root = mkdtempSync(join(tmpdir(), 'berth-audit-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${n++}`, 'berth', 'audit.log');

const alice: AuditActor = { user: 'alice', address: '192.0.2.7', via: 'registry' };

/** A clock that moves 1 ms per reading, or stays still when told. */
function clock(start = Date.parse('2026-12-01T00:00:00Z')) {
  let t = start;
  return {
    now: () => new Date(t),
    set: (ms: number) => (t = ms),
    tick: (ms = 1) => (t += ms),
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('AuditLog', () => {
  it('appends one JSON line per entry under <data>/berth, mode 0600, creating the folder', () => {
    const data = join(root, `data-${n++}`);
    const path = auditLogPath(data);
    expect(path).toBe(join(data, 'berth', 'audit.log'));
    const log = new AuditLog(path);
    log.record(alice, { action: 'tag.push', target: 'team/app:1.0', detail: { digest: 'sha256:aa' } });
    log.record({ user: 'root', address: 'local', via: 'cli' }, { action: 'user.remove', target: 'bob', result: 'LAST_ADMIN' });
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!) as AuditEntry;
    expect(first).toMatchObject({ user: 'alice', address: '192.0.2.7', via: 'registry', action: 'tag.push', target: 'team/app:1.0', result: 'ok', detail: { digest: 'sha256:aa' } });
    expect(Date.parse(first.time)).not.toBeNaN();
    expect(JSON.parse(lines[1]!)).toMatchObject({ user: 'root', via: 'cli', result: 'LAST_ADMIN' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keeps a hostile name to one line of bounded size', () => {
    const path = fresh();
    const log = new AuditLog(path);
    log.record({ user: `eve\n{"action":"user.add"}${'x'.repeat(5000)}`, address: '198.51.100.1', via: 'registry' }, { action: 'login.fail', target: 'eve' });
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    expect(text.length).toBeLessThan(1000);
    expect(parseAuditLine(text.trim())!.user.startsWith('eve\n{"action"')).toBe(true);
  });

  it('never throws when it cannot write, and says so once', () => {
    const path = fresh();
    mkdirSync(path, { recursive: true }); // a folder where the file should be
    const errors: string[] = [];
    const log = new AuditLog(path, { onError: (m) => errors.push(m) });
    expect(() => {
      log.record(alice, { action: 'tag.push', target: 'a:1' });
      log.record(alice, { action: 'tag.push', target: 'a:2' });
    }).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(path);
  });

  it('rotates by size, keeps `keep` old files, and readers see every kept entry in order', async () => {
    const path = fresh();
    const c = clock();
    const log = new AuditLog(path, { maxBytes: 300, keep: 2, now: () => new Date(c.tick()) });
    for (let i = 0; i < 40; i++) log.record(alice, { action: 'tag.push', target: `r:${i}` });
    const sizes = [path, `${path}.1`, `${path}.2`].map((p) => statSync(p).size);
    expect(sizes.every((s) => s > 0)).toBe(true);
    expect(() => statSync(`${path}.3`)).toThrow();
    const forward = (await collect(readAuditForward(path, {}, 2))).map((e) => Number(e.target.slice(2)));
    // The oldest entries were dropped with the oldest file; what is kept is in order and ends with the last.
    expect(forward.at(-1)).toBe(39);
    expect(forward.length).toBeLessThan(40);
    expect(forward).toEqual([...forward].sort((a, b) => a - b));
    const page = await readAuditPage(path, { limit: 100, keep: 2 });
    expect(page.entries.map((e) => Number(e.target.slice(2)))).toEqual([...forward].reverse());
  });
});

describe('a flood of refusals', () => {
  it('is counted past the budget, never the changes that went through, and the counts are written when the minute ends', async () => {
    const path = fresh();
    const c = clock();
    const log = new AuditLog(path, { now: c.now, refusalsPerMinute: 3 });
    const mallory = { user: 'mallory', address: '198.51.100.9', via: 'registry' as const };
    for (let i = 0; i < 10; i++) log.record(mallory, { action: 'login.fail', target: 'admin', result: 'UNAUTHORIZED' });
    for (let i = 0; i < 2; i++) log.record(mallory, { action: 'blob.upload', target: 'team/app', result: 'DENIED' });
    for (let i = 0; i < 5; i++) log.record(alice, { action: 'tag.push', target: `a:${i}` });
    const written = () => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    expect(written().filter((e) => e.result !== 'ok')).toHaveLength(3);
    expect(written().filter((e) => e.result === 'ok')).toHaveLength(5);

    // The next minute: its first refusal is written, after the counts of the minute before.
    c.tick(61_000);
    log.record(mallory, { action: 'login.fail', target: 'admin', result: 'UNAUTHORIZED' });
    const tail = written().slice(-3);
    expect(tail).toMatchObject([
      { user: '*', address: '*', via: 'registry', action: 'login.fail', target: '*', result: 'SUPPRESSED', detail: { count: 7, perMinute: 3 } },
      { user: '*', action: 'blob.upload', result: 'SUPPRESSED', detail: { count: 2 } },
      { user: 'mallory', action: 'login.fail', result: 'UNAUTHORIZED' },
    ]);
    // Counts still open are written by flushSuppressed (a timer calls it when the minute ends).
    for (let i = 0; i < 4; i++) log.record(mallory, { action: 'login.fail', target: 'admin', result: 'UNAUTHORIZED' });
    log.flushSuppressed();
    expect(written().at(-1)).toMatchObject({ action: 'login.fail', result: 'SUPPRESSED', detail: { count: 2 } });
    const page = await readAuditPage(path, { limit: 100 });
    expect(page.entries.some((e) => e.result === 'SUPPRESSED')).toBe(true);
  });
});

describe('reading lines', () => {
  it('from the end and from the start, across chunk boundaries and multi-byte characters', async () => {
    const path = fresh();
    mkdirSync(join(path, '..'), { recursive: true });
    const lines = Array.from({ length: 50 }, (_, i) => `${i} ${'äöü€'.repeat(i % 7)} ${'z'.repeat(i)}`);
    writeFileSync(path, `${lines.join('\n')}`); // no final newline
    expect(await collect(linesFromEnd(path, 7))).toEqual([...lines].reverse());
    expect(await collect(linesFromStart(path))).toEqual(lines);
  });

  it('skip a line longer than the bound without holding it, and have nothing for a missing file', async () => {
    const path = fresh();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `first\n${'x'.repeat(MAX_LINE_BYTES * 3)}\nlast\n`);
    expect(await collect(linesFromEnd(path, 4096))).toEqual(['last', 'first']);
    expect(await collect(linesFromStart(path))).toEqual(['first', 'last']);
    expect(await collect(linesFromEnd(`${path}.none`))).toEqual([]);
    expect(await collect(linesFromStart(`${path}.none`))).toEqual([]);
  });
});

describe('readAuditPage', () => {
  function logWith(entries: Array<[number, AuditActor, string, string]>) {
    const path = fresh();
    const c = clock();
    const log = new AuditLog(path, { now: c.now });
    for (const [at, actor, action, target] of entries) {
      c.set(at);
      log.record(actor, { action: action as AuditEntry['action'], target });
    }
    return path;
  }
  const bob: AuditActor = { user: 'bob', address: 'local', via: 'cli' };
  const T = Date.parse('2026-12-01T00:00:00Z');

  it('pages newest first with a cursor, also through entries of the same millisecond', async () => {
    // Five entries share one millisecond: a page boundary falls inside them.
    const times = [T, T + 1, T + 2, T + 2, T + 2, T + 2, T + 2, T + 3];
    const path = logWith(times.map((t, i) => [t, alice, 'tag.push', `r:${i}`]));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof readAuditPage>> = await readAuditPage(path, { limit: 3, cursor: cursor ? decodeAuditCursor(cursor) : null });
      seen.push(...page.entries.map((e) => e.target));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(['r:7', 'r:6', 'r:5', 'r:4', 'r:3', 'r:2', 'r:1', 'r:0']);
  });

  it('filters by user, by action or action prefix, and stops at `since`', async () => {
    const path = logWith([
      [T, alice, 'tag.push', 'a:1'],
      [T + 1000, bob, 'user.add', 'carol'],
      [T + 2000, alice, 'login.fail', 'alice'],
      [T + 3000, bob, 'user.access', 'carol'],
      [T + 4000, alice, 'tag.delete', 'a:1'],
    ]);
    const targets = async (q: Parameters<typeof readAuditPage>[1]) => (await readAuditPage(path, q)).entries.map((e) => `${e.action} ${e.target}`);
    expect(await targets({ limit: 10, user: 'bob' })).toEqual(['user.access carol', 'user.add carol']);
    expect(await targets({ limit: 10, actions: ['user.'] })).toEqual(['user.access carol', 'user.add carol']);
    expect(await targets({ limit: 10, actions: ['tag.push', 'tag.delete'] })).toEqual(['tag.delete a:1', 'tag.push a:1']);
    expect(await targets({ limit: 10, since: new Date(T + 2000) })).toEqual(['tag.delete a:1', 'user.access carol', 'login.fail alice']);
    expect(await targets({ limit: 10, user: 'nobody' })).toEqual([]);
  });

  it('skips damaged and foreign lines', async () => {
    const path = logWith([[T, alice, 'tag.push', 'a:1']]);
    appendFileSync(path, '{"time":"yesterday"}\nnot json\n[1,2]\n{"time":"2026-12-01T00:00:05Z","user":"x","address":"y","via":"registry","action":"rm -rf","target":"t","result":"ok"}\n{"time":"2026-12-01T00:00:06Z","user":"x","addr');
    const page = await readAuditPage(path, { limit: 10 });
    expect(page.entries.map((e) => e.target)).toEqual(['a:1']);
    expect(decodeAuditCursor('not a cursor')).toBeNull();
    expect(decodeAuditCursor(Buffer.from('{"t":"x","n":1}').toString('base64url'))).toBeNull();
  });
});
