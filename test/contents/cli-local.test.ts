/**
 * `berth files|extract|diff` on the local registry, through a running `berth serve` and in-process,
 * and on an OCI layout: the hand-made images' known merged filesystems, each layer's changes, files
 * on disk with their modes and symlinks, the diff of two tags, each platform of a multi-arch image,
 * refusals in words, and a hostile image that never writes outside --out.
 */
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageDiff, ImageFiles, ImageLayers } from '../../src-server/contract/contents';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { checkBaseListing, pushLayout, writeContentsFixture, type ContentsFixture } from '../helpers/contents-images';
import { containersSandbox } from '../helpers/images';

const ws = berthWorkspace('berth-cli-contents-');
let fx: ContentsFixture;
let berth: RunningBerth;
let data: string;

beforeAll(async () => {
  const sandbox = containersSandbox(join(ws.dir, 'containers'));
  fx = writeContentsFixture(join(ws.dir, 'layout'));
  data = ws.fresh();
  berth = await ws.serve(data);
  try {
    for (const tag of ['base', 'v2', 'multi', 'hostile']) await pushLayout(sandbox, fx.dir, tag, `${berth.host}/team/app:${tag}`);
  } finally {
    sandbox.cleanup();
  }
}, 120_000);

async function berthOk(args: string[]): Promise<string> {
  const r = await runBerth([...args, '--data', data]);
  if (r.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse(await berthOk([...args, '--json'])) as T;
}

describe('berth files, extract and diff on the local registry (through berth serve)', () => {
  it('lists the merged filesystem of base: whiteouts, an opaque folder, a changed file, symlinks, a zstd layer', async () => {
    const f = await json<ImageFiles>(['files', 'team/app:base']);
    checkBaseListing(f.entries);
    expect(f.layers.map((l) => l.mediaType)).toEqual([
      'application/vnd.oci.image.layer.v1.tar+gzip',
      'application/vnd.oci.image.layer.v1.tar+zstd',
      'application/vnd.oci.image.layer.v1.tar',
    ]);
    expect(f.hidden.map((h) => `${h.path} ${h.how} by ${h.by}`)).toEqual(
      expect.arrayContaining(['bin/tool overwritten by 2', 'etc/motd overwritten by 1', 'opt/app/old.txt deleted by 1', 'var/log/big.log deleted by 1']),
    );
    expect(f.platform).toBe('linux/amd64');
    expect(f.digest).toBe(fx.base.manifest.digest);
    const text = await berthOk(['files', 'team/app:base']);
    expect(text).toMatch(/-rwx------\s+1000:1000\s+23 B\s+2\s+\/bin\/tool/);
    expect(text).toMatch(/\/motd-link -> etc\/motd/);
  });

  it('lists only what is under a path', async () => {
    const f = await json<ImageFiles>(['files', 'team/app:base', '/etc']);
    expect(f.entries.map((e) => e.path).sort()).toEqual(['etc', 'etc/motd', 'etc/os-release']);
  });

  it("lists each layer's changes and wasted bytes", async () => {
    const l = await json<ImageLayers>(['files', 'team/app:base', '--layers']);
    expect(l.layers).toHaveLength(3);
    const changes = (i: number) => l.layers[i]!.changes.map((c) => `${c.kind} ${c.path}`);
    expect(changes(1)).toEqual(expect.arrayContaining(['modified etc/motd', 'deleted var/log/big.log', 'added opt/app/new.txt', 'added motd-link']));
    expect(changes(2)).toEqual(expect.arrayContaining(['modified bin/tool', 'added lib', 'added usr/lib/libx.so']));
    // big.log (1000), the first motd (6), old.txt (4), keep/a.txt (4) and the first bin/tool (20).
    expect(l.layers[0]!.wasted).toBe(1034);
    expect(l.layers[1]!.wasted).toBe(0);
    expect(l.wasted).toBe(1034);
    const text = await berthOk(['files', 'team/app:base', '--layers']);
    expect(text).toMatch(/#1 \w{12} .*modified.*deleted/);
    expect(text).toMatch(/D \/var\/log\/big.log/);
  });

  it('extracts files with their modes and symlinks', async () => {
    const out = join(ws.dir, 'out-base');
    await berthOk(['extract', 'team/app:base', '/etc', '/bin/tool', '/motd-link', '/opt/app', '--out', out]);
    expect(readFileSync(join(out, 'etc/motd'), 'utf8')).toBe('changed motd\n');
    expect(readFileSync(join(out, 'etc/os-release'), 'utf8')).toBe('ID=berth\n');
    expect(statSync(join(out, 'bin/tool')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(out, 'bin/tool'), 'utf8')).toBe('#!/bin/sh\necho tool v2\n');
    expect(lstatSync(join(out, 'motd-link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'motd-link'))).toBe('etc/motd');
    expect(statSync(join(out, 'opt/app/new.txt')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(out, 'opt/app/old.txt'))).toBe(false);
    const report = await json<{ written: number; skipped: unknown[] }>(['extract', 'team/app:base', '/etc/motd', '--out', join(ws.dir, 'out-json')]);
    expect(report).toMatchObject({ written: expect.any(Number), skipped: [] });
  });

  it('diffs two tags: files, config, layers and size', async () => {
    const d = await json<ImageDiff>(['diff', 'team/app:base', 'team/app:v2']);
    const files = new Map(d.files.map((f) => [f.path, f]));
    expect(files.get('srv/added.txt')).toMatchObject({ kind: 'added', right: { type: 'file', size: 6, mode: 0o640 } });
    expect(files.get('etc/os-release')?.kind).toBe('removed');
    expect(files.get('etc/motd')).toMatchObject({ kind: 'changed', aspects: expect.arrayContaining(['content', 'size']) });
    expect(files.get('bin/tool')).toMatchObject({ kind: 'changed', aspects: expect.arrayContaining(['mode', 'content']) });
    expect(files.has('etc')).toBe(false);
    const fields = d.config.map((c) => `${c.field}${c.key ? ` ${c.key}` : ''}`);
    expect(fields).toEqual(expect.arrayContaining(['cmd', 'workdir', 'exposedPorts 443/tcp']));
    expect(fields.some((f) => f.startsWith('env'))).toBe(true);
    expect(fields.some((f) => f.startsWith('labels'))).toBe(true);
    expect(d.layers.shared.map((l) => l.digest)).toEqual([fx.base.layers[0]!.digest]);
    expect(d.layers.leftOnly).toHaveLength(2);
    expect(d.layers.rightOnly).toHaveLength(1);
    expect(d.size.delta).toBe(d.size.right - d.size.left);
    const text = await berthOk(['diff', 'team/app:base', 'team/app:v2']);
    expect(text).toMatch(/\+ \/srv\/added.txt/);
    expect(text).toMatch(/Layers: 1 shared/);
  });

  it('reads each platform of a multi-arch image, and lists them for an unknown one', async () => {
    const arm = await json<ImageFiles>(['files', 'team/app:multi', '--platform', 'linux/arm64']);
    expect(arm.platform).toBe('linux/arm64/v8');
    expect(arm.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(arm.entries.map((e) => e.path)).toEqual(expect.arrayContaining(['arch/arm64.txt', 'only-arm']));
    const amd = await json<ImageFiles>(['files', 'team/app:multi', '--platform', 'linux/amd64']);
    expect(amd.entries.map((e) => e.path).sort()).toEqual(['arch', 'arch/amd64.txt']);
    const r = await runBerth(['files', 'team/app:multi', '--platform', 'linux/s390x', '--data', data]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('the image has no platform linux/s390x; it has linux/amd64, linux/arm64/v8');
  });

  it('says what is missing, with a non-zero exit', async () => {
    const tag = await runBerth(['files', 'team/app:v9', '--data', data]);
    expect(tag.code).not.toBe(0);
    expect(tag.stderr).toBe('berth: local team/app has no tag v9\n');
    const ref = await runBerth(['files', 'Team/App', '--data', data]);
    expect(ref.code).not.toBe(0);
    expect(ref.stderr).toMatch(/lower case/);
  });

  it('never writes outside --out for a hostile image', async () => {
    const out = join(ws.dir, 'hostile', 'out');
    const r = await runBerth(['extract', 'team/app:hostile', '/', '--out', out, '--data', data]);
    expect(readFileSync(join(out, 'ok.txt'), 'utf8')).toBe('fine\n');
    expect(existsSync(join(ws.dir, 'hostile', 'escape.txt'))).toBe(false);
    expect(existsSync(join(ws.dir, 'escape.txt'))).toBe(false);
    expect(existsSync('/abs.txt')).toBe(false);
    expect(existsSync('/tmp/pwned')).toBe(false);
    expect(existsSync('/pwned2')).toBe(false);
    if (existsSync(join(out, 'out'))) expect(lstatSync(join(out, 'out')).isSymbolicLink() ? existsSync(join(readlinkSync(join(out, 'out')), 'pwned')) : false).toBe(false);
    expect(`${r.stdout}${r.stderr}`).toMatch(/skipped|Skipped|refused|warning/i);
  });
});

describe('the same on an OCI layout, and in-process once the server is gone', () => {
  it('gives the same listing from oci:DIR:TAG', async () => {
    const f = await json<ImageFiles>(['files', `oci:${fx.dir}:base`]);
    checkBaseListing(f.entries);
    expect(f.digest).toBe(fx.base.manifest.digest);
    const r = await runBerth(['files', `oci:${fx.dir}`, '--data', data]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('holds 4 images: name one as oci:DIR:TAG (tags: base, v2, multi, hostile)');
  });

  it('reads in-process when no server runs', async () => {
    const through = await json<ImageFiles>(['files', 'team/app:base']);
    await berth.stop();
    const inProcess = await json<ImageFiles>(['files', 'team/app:base']);
    expect(inProcess).toEqual(through);
    const d = await json<ImageDiff>(['diff', 'team/app:base', `oci:${fx.dir}:v2`]);
    expect(d.layers.shared.map((l) => l.digest)).toEqual([fx.base.layers[0]!.digest]);
  });
});
