/**
 * The must-show: image-syncer's own two files (auth for both hosts, `insecure: true`) drive
 * `berth sync` from a registry:2 with htpasswd into a running Berth. Every image (a multi-arch index
 * among them) arrives with identical digests, children included; a second run copies nothing; the
 * combined `--config` form does the same. Then bad input: a closed port, a wrong password, a
 * missing tag and a malformed file fail with their entry named, exit code 1, and no stack trace.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRunRecord, SyncSummary } from '../../src-server/contract';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { freePort, type RunningRegistry2 } from '../helpers/registry2';
import { berth, children, PASSWORD, pushImages, rawManifest, registryWithAuth, USER } from './fixture';

const ws = berthWorkspace('berth-sync-is-');
let r2: RunningRegistry2;
let dest: RunningBerth;
let dir: string;

const APP_TAGS = ['multi', 'v1', 'v2'];
const TOOL_TAGS = ['v1', 'v2', 'beta'];

beforeAll(async () => {
  dir = join(ws.dir, 'work');
  mkdirSync(dir, { recursive: true });
  r2 = await registryWithAuth(join(ws.dir, 'r2'), true);
  await pushImages(dir, r2.host, 'team/app', [
    { tag: 'multi', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }], layerBytes: [300_000, 40_000] },
    { tag: 'v1', platforms: [{ os: 'linux', architecture: 'amd64' }], layerBytes: [200_000] },
    { tag: 'v2', platforms: [{ os: 'linux', architecture: 'amd64' }], layerBytes: [100_000] },
  ], true);
  await pushImages(dir, r2.host, 'team/tool', TOOL_TAGS.map((tag) => ({ tag, platforms: [{ os: 'linux', architecture: 'amd64' }], layerBytes: [50_000] })), true);
  dest = await ws.serve(ws.fresh('dest'));
}, 240_000);

afterAll(async () => {
  await r2?.stop();
});

function authFile(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function sameImage(src: string, dst: string): Promise<void> {
  const a = await rawManifest(dir, src, true);
  const b = await rawManifest(dir, dst, false);
  expect(b.digest).toBe(a.digest);
  expect(b.raw).toBe(a.raw);
  const srcRepo = src.slice(0, src.lastIndexOf(':'));
  const dstRepo = dst.slice(0, dst.lastIndexOf(':'));
  for (const child of children(a.raw)) {
    const c1 = await rawManifest(dir, `${srcRepo}@${child}`, true);
    const c2 = await rawManifest(dir, `${dstRepo}@${child}`, false);
    expect(c2.digest).toBe(child);
    expect(c2.raw).toBe(c1.raw);
  }
}

describe("berth sync with image-syncer's files", () => {
  it('copies every image whole with identical digests, then skips them all', async () => {
    // The password comes from the environment, as image-syncer allows.
    const auth = authFile('auth.yaml', `${r2.host}:\n  username: ${USER}\n  password: \${SYNC_TEST_PASSWORD}\n  insecure: true\n${dest.host}:\n  insecure: true\n`);
    const images = authFile('images.json', JSON.stringify({
      [`${r2.host}/team/app`]: `${dest.host}/mirror/app`,
      [`${r2.host}/team/tool:/^v[0-9]+$/`]: [`${dest.host}/mirror/tool`, `${dest.host}/again/tool`],
    }));
    const env = { SYNC_TEST_PASSWORD: PASSWORD };
    const first = await berth(['sync', '--auth', auth, '--images', images, '--json', '--data', dest.dataDir], env);
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(first.code).toBe(0);
    const s1 = JSON.parse(first.stdout) as SyncSummary;
    expect(s1.failures).toEqual([]);
    expect(s1).toMatchObject({ copied: 3 + 2 + 2, skipped: 0, failed: 0 });
    expect(s1.bytes).toBeGreaterThan(600_000);
    expect(first.stderr).toMatch(/sync: image-syncer-1: 3\/3 images/);
    for (const t of APP_TAGS) await sameImage(`${r2.host}/team/app:${t}`, `${dest.host}/mirror/app:${t}`);
    for (const t of ['v1', 'v2']) {
      await sameImage(`${r2.host}/team/tool:${t}`, `${dest.host}/mirror/tool:${t}`);
      await sameImage(`${r2.host}/team/tool:${t}`, `${dest.host}/again/tool:${t}`);
    }
    // The regex left beta out.
    await expect(rawManifest(dir, `${dest.host}/mirror/tool:beta`, false)).rejects.toThrow();

    const second = await berth(['sync', '--auth', auth, '--images', images, '--json', '--data', dest.dataDir], env);
    expect(second.code).toBe(0);
    const s2 = JSON.parse(second.stdout) as SyncSummary;
    expect(s2).toMatchObject({ copied: 0, skipped: 7, failed: 0, bytes: 0 });

    // The server kept both runs in its history (sync.yml has no jobs: these were one-off runs).
    const list = await berth(['sync', 'list', '--json', '--data', dest.dataDir]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ jobs: [] });
    const history = readFileSync(join(dest.dataDir, 'berth', 'sync-history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SyncRunRecord);
    expect(history.map((r) => [r.trigger, r.outcome, r.copied, r.skipped])).toEqual([
      ['cli', 'done', 7, 0],
      ['cli', 'done', 0, 7],
    ]);
    expect(JSON.stringify(history)).not.toContain(PASSWORD);
  }, 240_000);

  it('reads the combined --config form the same way', async () => {
    const config = authFile('config.yaml', [
      'auth:',
      `  ${r2.host}/team:`,
      `    username: ${USER}`,
      `    password: ${PASSWORD}`,
      '    insecure: true',
      `  ${dest.host}:`,
      '    insecure: true',
      'images:',
      `  ${r2.host}/team/app:multi,v1: ${dest.host}/combined/app`,
      `  ${r2.host}/team/app:v2: ${dest.host}/combined/renamed:latest`,
    ].join('\n') + '\n');
    const run = await berth(['sync', '--config', config, '--json', '--data', dest.dataDir]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ copied: 3, failed: 0 });
    await sameImage(`${r2.host}/team/app:multi`, `${dest.host}/combined/app:multi`);
    await sameImage(`${r2.host}/team/app:v1`, `${dest.host}/combined/app:v1`);
    await sameImage(`${r2.host}/team/app:v2`, `${dest.host}/combined/renamed:latest`);
    const again = await berth(['sync', '--config', config, '--json', '--data', dest.dataDir]);
    expect(JSON.parse(again.stdout)).toMatchObject({ copied: 0, skipped: 3, failed: 0 });
  }, 240_000);

  it('names the entry of an unreachable host, a wrong password and a missing tag; exit code 1', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const auth = authFile('bad-auth.yaml', `${r2.host}:\n  username: ${USER}\n  password: wrong-password\n  insecure: true\n${closed}:\n  insecure: true\n${dest.host}:\n  insecure: true\n`);
    const images = authFile('bad-images.yaml', [
      `${closed}/nobody/here:v1: ${dest.host}/bad/one`,
      `${r2.host}/team/app:v1: ${dest.host}/bad/two`,
    ].join('\n') + '\n');
    const run = await berth(['sync', '--auth', auth, '--images', images, '--json', '--retries', '0', '--data', dest.dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const s = JSON.parse(run.stdout) as SyncSummary;
    expect(s.failed).toBe(2);
    const byImage = new Map(s.failures.map((f) => [f.image, f]));
    expect(byImage.get(`${closed}/nobody/here:v1`)).toMatchObject({ code: 'UNREACHABLE' });
    expect(byImage.get(`${closed}/nobody/here:v1`)!.message).toContain(closed);
    expect(byImage.get(`${r2.host}/team/app:v1`)).toMatchObject({ code: 'AUTH_FAILED' });
    expect(JSON.stringify(s)).not.toContain('wrong-password');

    const okAuth = authFile('ok-auth.yaml', `${r2.host}:\n  username: ${USER}\n  password: ${PASSWORD}\n  insecure: true\n${dest.host}:\n  insecure: true\n`);
    const missing = authFile('missing.yaml', `${r2.host}/team/app:nope: ${dest.host}/bad/three\n`);
    const m = await berth(['sync', '--auth', okAuth, '--images', missing, '--json', '--data', dest.dataDir]);
    expect(m.code).toBe(1);
    const ms = JSON.parse(m.stdout) as SyncSummary;
    expect(ms.failures[0]).toMatchObject({ code: 'MANIFEST_UNKNOWN', image: `${r2.host}/team/app:nope` });
    expect(ms.failures[0]!.message).toContain('no tag nope');
  }, 120_000);

  it('fails only the image whose push the destination refuses', async () => {
    const data = ws.fresh('rules');
    const add = await runBerth(['user', 'add', 'pusher', '--data', data, '--password-stdin', '--access', 'push@ok/*'], { input: 'pusher-password\n' });
    expect(add.code, add.stderr).toBe(0);
    const guarded = await ws.serve(data, ['--auth', 'basic']);
    const auth = authFile('rules-auth.yaml', `${r2.host}:\n  username: ${USER}\n  password: ${PASSWORD}\n  insecure: true\n${guarded.host}:\n  username: pusher\n  password: pusher-password\n  insecure: true\n`);
    const images = authFile('rules-images.yaml', `${r2.host}/team/app:v1: [${guarded.host}/ok/app, ${guarded.host}/closed/app]\n${r2.host}/team/app:v2: ${guarded.host}/ok/app\n`);
    const run = await berth(['sync', '--auth', auth, '--images', images, '--json', '--data', dest.dataDir]);
    expect(run.code).toBe(1);
    const s = JSON.parse(run.stdout) as SyncSummary;
    expect(s).toMatchObject({ copied: 2, failed: 1 });
    expect(s.failures).toHaveLength(1);
    expect(s.failures[0]).toMatchObject({ job: 'image-syncer-1.2', image: `${r2.host}/team/app:v1`, code: 'DENIED' });
  }, 120_000);

  it('refuses malformed files with the entry named', async () => {
    const auth = authFile('a.yaml', `${r2.host}:\n  username: ${USER}\n  password: x\n`);
    const cases: Array<[string, RegExp]> = [
      [`"quay.io/x:/(/": ${dest.host}/x\n`, /entry "quay\.io\/x:\/\(\/": the tag regex \/\(\/ is not a regular expression/],
      [`${r2.host}/a:v1,v2: ${dest.host}/x:latest\n`, /has a tag, so the source must name exactly one tag/],
      [`${r2.host}/a: [1, 2]\n`, /entry ".*\/a": the destination must be a string or a list of strings/],
      ['a: [unclosed\n', /m\.yaml: not valid YAML/],
      [`${r2.host}/a: ""\n`, /the destination is empty and no default is set/],
    ];
    for (const [text, message] of cases) {
      const images = authFile('m.yaml', text);
      const r = await berth(['sync', '--auth', auth, '--images', images, '--json', '--data', dest.dataDir]);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const s = JSON.parse(r.stdout) as SyncSummary;
      expect(s.failures[0]!.message).toMatch(message);
    }
  }, 120_000);
});
