import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileEntry } from '../contract/contents';
import { createExtractor } from './extract';

const e = (path: string, type: FileEntry['type'], over: Partial<FileEntry> = {}): FileEntry => ({
  path,
  type,
  size: 0,
  mode: type === 'dir' ? 0o755 : 0o644,
  uid: 0,
  gid: 0,
  layer: 0,
  ...over,
});

const body = (text: string) => Readable.from([Buffer.from(text)]);

let tmp: string;
let out: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'berth-extract-'));
  out = join(tmp, 'out');
});
afterEach(async () => {
  // Read-only folders left by a test are opened before removal.
  await rm(tmp, { recursive: true, force: true }).catch(async () => {
    const { execFile } = await import('node:child_process');
    await new Promise((done) => execFile('chmod', ['-R', 'u+rwx', tmp], done));
    await rm(tmp, { recursive: true, force: true });
  });
});

/** Runs an extraction: files get their path as content, written in selection order. */
async function extract(selection: FileEntry[], contents: Record<string, string> = {}) {
  const x = createExtractor(out, selection);
  for (const f of selection) {
    if (x.wants(f.layer, f.path)) await x.write(f, body(contents[f.path] ?? f.path));
  }
  return x.finish();
}

const mode = async (p: string) => (await lstat(join(out, p))).mode & 0o7777;

describe('createExtractor', () => {
  it('writes files, folders, symlinks and hardlinks with their modes', async () => {
    const selection = [
      e('usr', 'dir'),
      e('usr/bin', 'dir', { mode: 0o750 }),
      e('usr/bin/dash', 'file', { mode: 0o4755, size: 12, layer: 1 }),
      e('usr/bin/sh', 'symlink', { link: 'dash' }),
      e('usr/bin/sh2', 'hardlink', { link: 'usr/bin/dash' }),
      e('usr/bin/sh3', 'hardlink', { link: 'usr/bin/sh2' }),
      e('bin', 'symlink', { link: 'usr/bin' }),
      e('abs', 'symlink', { link: '/usr/bin/dash' }),
      e('etc/hosts', 'file', { mode: 0o600 }),
    ];
    const x = createExtractor(out, selection);
    expect(x.wants(0, 'usr/bin/dash')).toBe(false);
    expect(x.wants(1, 'usr/bin/dash')).toBe(true);
    expect(x.wants(0, 'usr/bin/sh')).toBe(false);
    await x.write(selection[2]!, body('dash program'));
    await x.write(selection[8]!, body('127.0.0.1 localhost\n'));
    await x.write(e('not/asked', 'file'), body('ignored'));
    const report = await x.finish();
    expect(report.skipped).toEqual([]);
    expect(report.bytes).toBe(12 + 20);
    expect(report.written).toBe(9);
    expect(report.notes).toEqual(['usr/bin/dash: setuid, setgid and sticky bits dropped (mode 4755)']);
    expect(await readFile(join(out, 'bin/sh'), 'utf8')).toBe('dash program');
    expect(await readlink(join(out, 'bin'))).toBe('usr/bin');
    expect(await readlink(join(out, 'abs'))).toBe('/usr/bin/dash');
    expect((await stat(join(out, 'usr/bin/sh2'))).ino).toBe((await stat(join(out, 'usr/bin/dash'))).ino);
    expect((await stat(join(out, 'usr/bin/sh3'))).ino).toBe((await stat(join(out, 'usr/bin/dash'))).ino);
    expect(await mode('usr/bin/dash')).toBe(0o755);
    expect(await mode('usr/bin')).toBe(0o750);
    expect(await mode('etc/hosts')).toBe(0o600);
    expect(await mode('etc')).toBe(0o755);
    expect(await readdir(join(out, 'etc'))).toEqual(['hosts']);
  });

  it('skips devices, FIFOs, files never given and hardlinks to what was not extracted', async () => {
    const report = await extract([
      e('dev/null', 'char'),
      e('dev/sda', 'block'),
      e('run/fifo', 'fifo'),
      e('h', 'hardlink', { link: 'elsewhere' }),
    ]);
    const x = createExtractor(out, [e('lost', 'file')]);
    await x.write(e('lost', 'file'), null);
    expect((await x.finish()).skipped).toEqual([{ path: 'lost', reason: 'its content was not read' }]);
    expect(Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]))).toEqual({
      'dev/null': 'device files (char) are not extracted',
      'dev/sda': 'device files (block) are not extracted',
      'run/fifo': 'FIFOs are not extracted',
      h: 'its target elsewhere was not extracted',
    });
    expect(report.written).toBe(0);
    expect(await readdir(out)).toEqual([]);
  });

  it('never writes through a symlink planted in the output folder', async () => {
    const other = join(tmp, 'other');
    await mkdir(other);
    await mkdir(out);
    await symlink(other, join(out, 'etc'));
    await writeFile(join(other, 'victim'), 'safe');
    await symlink(join(other, 'victim'), join(out, 'leaf'));
    const report = await extract([e('etc', 'dir'), e('etc/passwd', 'file'), e('etc/sub/x', 'file'), e('leaf', 'file'), e('etc/l', 'symlink', { link: 'x' })]);
    expect(await readdir(other)).toEqual(['victim']);
    expect(await readFile(join(other, 'victim'), 'utf8')).toBe('safe');
    expect(Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]))).toEqual({
      etc: 'etc in the output folder is a symlink in the way',
      'etc/passwd': 'it would be written through etc, a symlink in the output folder',
      'etc/sub/x': 'it would be written through etc, a symlink in the output folder',
      leaf: 'leaf in the output folder is a symlink in the way',
      'etc/l': 'it would be written through etc, a symlink in the output folder',
    });
  });

  it('refuses paths and symlinks that climb out', async () => {
    const report = await extract([
      e('../escape', 'file'),
      e('a/../../escape2', 'file'),
      e('/abs', 'file'),
      e('a', 'dir'),
      e('a/up', 'symlink', { link: '../../outside' }),
      e('s', 'symlink', { link: '..' }),
      e('t', 'symlink', { link: 'a/../s/x' }),
      e('loop', 'symlink', { link: 'loop' }),
      e('a/ok', 'symlink', { link: '../a' }),
    ]);
    expect(await readdir(tmp)).toEqual(['out']);
    expect((await readdir(out)).sort()).toEqual(['a']);
    expect(await readdir(join(out, 'a'))).toEqual(['ok']);
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]));
    expect(reasons['../escape']).toBe('it is not a path inside the output folder');
    expect(reasons['a/../../escape2']).toBe('it is not a path inside the output folder');
    expect(reasons['/abs']).toBe('it is not a path inside the output folder');
    expect(reasons['a/up']).toBe('its target ../../outside leaves the extracted tree');
    expect(reasons.s).toBe('its target .. leaves the extracted tree');
    expect(reasons.t).toBe('its target a/../s/x leaves the extracted tree');
    expect(reasons.loop).toMatch(/cannot be resolved: .*more than 40 symlinks/);
  });

  it('writes into read-only folders and sets their mode at the end, also when extracting again', async () => {
    const selection = [e('ro', 'dir', { mode: 0o555 }), e('ro/inner', 'dir', { mode: 0o500 }), e('ro/inner/f', 'file', { mode: 0o444 }), e('ro/l', 'symlink', { link: 'inner/f' })];
    const first = await extract(selection, { 'ro/inner/f': 'one' });
    expect(first.skipped).toEqual([]);
    expect(await mode('ro')).toBe(0o555);
    expect(await mode('ro/inner')).toBe(0o500);
    expect(await mode('ro/inner/f')).toBe(0o444);
    const second = await extract(selection, { 'ro/inner/f': 'two, longer' });
    expect(second.skipped).toEqual([]);
    expect(second.written).toBe(4);
    expect(await readFile(join(out, 'ro/l'), 'utf8')).toBe('two, longer');
    expect(await mode('ro')).toBe(0o555);
    expect(await mode('ro/inner')).toBe(0o500);
  });

  it('refuses to put a file where a folder is, and lets the later of two writes win', async () => {
    await mkdir(join(out, 'x'), { recursive: true });
    const x = createExtractor(out, [e('x', 'file'), e('y', 'file')]);
    await x.write(e('x', 'file'), body('no'));
    await x.write(e('y', 'file'), body('first'));
    await x.write(e('y', 'file'), body('second'));
    const report = await x.finish();
    expect(report.skipped).toEqual([{ path: 'x', reason: 'a folder is in the way in the output folder' }]);
    expect(await readFile(join(out, 'y'), 'utf8')).toBe('second');
    expect(report.written).toBe(1);
  });

  it('leaves no partial file when the content stream fails', async () => {
    const failing = new Readable({
      read() {
        this.push('part');
        this.destroy(new Error('corrupt layer'));
      },
    });
    const x = createExtractor(out, [e('f', 'file')]);
    await expect(x.write(e('f', 'file'), failing)).rejects.toThrow('corrupt layer');
    expect(await readdir(out)).toEqual([]);
  });
});

/**
 * Extracts twice into one folder, the second time over the read-only folders the first left, and
 * prints the reports and modes as JSON. Run by a user that folder modes bind: root is not one.
 */
const READ_ONLY_SCENARIO = `
import { lstat, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createExtractor } from ${JSON.stringify(resolve(import.meta.dirname, 'extract.ts'))};
const out = process.argv[2];
const e = (path, type, mode, layer = 0) => ({ path, type, size: 0, mode, uid: 0, gid: 0, layer });
const selection = [e('ro', 'dir', 0o555), e('ro/inner', 'dir', 0o500), e('ro/inner/f', 'file', 0o444)];
const reports = [];
for (const text of ['one', 'two']) {
  const x = createExtractor(out, selection);
  if (x.wants(0, 'ro/inner/f')) await x.write(selection[2], Readable.from([Buffer.from(text)]));
  reports.push(await x.finish());
}
const mode = async (p) => ((await lstat(out + '/' + p)).mode & 0o7777).toString(8);
console.log(JSON.stringify({ reports, text: await readFile(out + '/ro/inner/f', 'utf8'), modes: [await mode('ro'), await mode('ro/inner'), await mode('ro/inner/f')] }));
`;

describe('createExtractor for a user that folder modes bind', () => {
  it('extracts again over read-only folders it left', async () => {
    const script = join(tmp, 'scenario.mjs');
    await writeFile(script, READ_ONLY_SCENARIO);
    const asRoot = process.getuid?.() === 0;
    // Root passes every permission check, so the scenario runs as `nobody` there.
    const ids = asRoot ? { uid: 65534, gid: 65534 } : {};
    if (asRoot) await chown(tmp, 65534, 65534);
    const child = spawn(process.execPath, ['--import', 'tsx', script, out], { cwd: resolve(import.meta.dirname, '../..'), ...ids });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { reports: { skipped: unknown[]; written: number }[]; text: string; modes: string[] };
    expect(result.reports.map((r) => [r.skipped, r.written])).toEqual([
      [[], 3],
      [[], 3],
    ]);
    expect(result.text).toBe('two');
    expect(result.modes).toEqual(['555', '500', '444']);
  });
});
