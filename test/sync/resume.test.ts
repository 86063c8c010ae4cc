/**
 * The must-show: a sync killed midway (SIGKILL once its progress shows images done), then run
 * again. Nothing finished before is copied again (it is counted in `skipped`), and everything
 * arrives whole. The CLI runs in-process here (no server owns its data directory), so killing it
 * kills the run itself.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncSummary } from '../../src-server/contract';
import { tempDir } from '../helpers/berth-server';
import type { RunningRegistry2 } from '../helpers/registry2';
import { berth, pushImages, rawManifest, registryWithAuth, spawnBerth } from './fixture';

const TAGS = Array.from({ length: 12 }, (_, i) => `t${i + 1}`);
let tmp: ReturnType<typeof tempDir>;
let src: RunningRegistry2;
let dst: RunningRegistry2;

beforeAll(async () => {
  tmp = tempDir('berth-sync-resume-');
  src = await registryWithAuth(join(tmp.dir, 'src'), false);
  dst = await registryWithAuth(join(tmp.dir, 'dst'), false);
  await pushImages(tmp.dir, src.host, 'big/app', TAGS.map((tag) => ({ tag, platforms: [{ os: 'linux', architecture: 'amd64' }], layerBytes: [2_000_000] })), false);
}, 240_000);

afterAll(async () => {
  await src?.stop();
  await dst?.stop();
  tmp?.cleanup();
});

describe('a killed sync run', () => {
  it('resumes without copying again what it finished', async () => {
    const data = join(tmp.dir, 'berth-data');
    mkdirSync(data, { recursive: true });
    const auth = join(tmp.dir, 'auth.json');
    writeFileSync(auth, JSON.stringify({ [src.host]: { insecure: true }, [dst.host]: { insecure: true } }));
    const images = join(tmp.dir, 'images.json');
    writeFileSync(images, JSON.stringify({ [`${src.host}/big/app`]: `${dst.host}/mirror/app` }));
    const args = ['sync', '--auth', auth, '--images', images, '--proc', '1', '--json', '--data', data];

    const first = spawnBerth(args);
    const copiedSoFar = (s: string) => Math.max(0, ...[...s.matchAll(/\((\d+) copied/g)].map((m) => Number(m[1])));
    await first.waitForStderr((s) => copiedSoFar(s) >= 3);
    first.proc.kill('SIGKILL');
    const ended = await first.done;
    expect(ended.signal).toBe('SIGKILL');
    const finished = copiedSoFar(first.stderr());
    expect(finished).toBeGreaterThanOrEqual(3);
    expect(finished).toBeLessThan(TAGS.length);

    const second = await berth(args);
    expect(second.code).toBe(0);
    const s = JSON.parse(second.stdout) as SyncSummary;
    expect(s.failed).toBe(0);
    expect(s.copied + s.skipped).toBe(TAGS.length);
    // Every image the killed run reported done is skipped; at most the one in flight is redone.
    expect(s.skipped).toBeGreaterThanOrEqual(finished);
    expect(s.copied).toBeGreaterThan(0);
    for (const t of TAGS) {
      const a = await rawManifest(tmp.dir, `${src.host}/big/app:${t}`, false);
      const b = await rawManifest(tmp.dir, `${dst.host}/mirror/app:${t}`, false);
      expect(b.digest).toBe(a.digest);
    }
  }, 240_000);
});
