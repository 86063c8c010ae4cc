/**
 * Writes N repositories straight into registry:2's filesystem layout (one small image each, tagged
 * `latest`, sharing its layer; each image's config carries a label of its own length, so sizes
 * differ, some equal): seconds for 10,000, where pushing them would take minutes. Berth builds its
 * index from this at start, as it does for any registry:2 volume.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { parseDigest } from '../../src-server/core/digest';
import { paths } from '../../src-server/storage/layout';
import { buildGui, launchChromium, loggedInPage, startGuiServer, type GuiServer } from './harness';

function put(root: string, rel: string, data: string | Buffer): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
}

function blob(root: string, data: Buffer): { digest: string; size: number } {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  put(root, paths.blobData(parseDigest(digest)!), data);
  return { digest, size: data.length };
}

/** A repository written: its name and distinct bytes (manifest, config and layer). */
export interface ManyRepository {
  name: string;
  bytes: number;
}

/** Writes repositories `<prefix>00000`… into `root`; returns them in name order. */
export function writeManyRepositories(root: string, count: number, prefix = 'team/app-'): ManyRepository[] {
  const layer = blob(root, Buffer.alloc(4096, 7));
  const out: ManyRepository[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${String(i).padStart(5, '0')}`;
    // 3,001 label lengths over the repositories: sizes spread out, and some repositories tie.
    const note = 'x'.repeat((i * 7919) % 3001);
    const config = blob(root, Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', created: '2026-01-01T00:00:00Z', config: { Labels: { note } }, rootfs: { type: 'layers', diff_ids: [] } })));
    const manifest = blob(
      root,
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
        }),
      ),
    );
    const m = parseDigest(manifest.digest)!;
    for (const d of [layer.digest, config.digest]) put(root, paths.layerLink(name, parseDigest(d)!), d);
    put(root, paths.revisionLink(name, m), manifest.digest);
    put(root, paths.tagCurrentLink(name, 'latest'), manifest.digest);
    put(root, paths.tagIndexLink(name, 'latest', m), manifest.digest);
    out.push({ name, bytes: manifest.size + config.size + layer.size });
  }
  return out;
}

/** A GUI world over many repositories: the data directory, what was written, the server and a logged-in page. */
export interface ManyRepositoriesWorld {
  data: string;
  written: ManyRepository[];
  server: GuiServer;
  browser: Browser;
  page: Page;
}

/**
 * Registers the hooks of a test file over `count` repositories: before all, writes them (on tmpfs
 * where there is one: fifty thousand small files cost memory, not disk waits), starts `berth serve
 * --ui` on them, and opens a logged-in Chromium page; after all, closes and removes everything.
 * The world is filled in when the hooks have run.
 */
export function useManyRepositories(count: number, label: string): ManyRepositoriesWorld {
  const world = {} as ManyRepositoriesWorld;
  const tmp = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `berth-e2e-${label}-`));
  beforeAll(async () => {
    const ui = await buildGui();
    world.data = join(tmp, 'data');
    const t0 = Date.now();
    world.written = writeManyRepositories(world.data, count);
    const t1 = Date.now();
    world.server = await startGuiServer(world.data, ui);
    process.stdout.write(`set-up: ${count} repositories written in ${t1 - t0} ms, server up in ${Date.now() - t1} ms\n`);
    world.browser = await launchChromium();
    world.page = await loggedInPage(world.browser, world.server);
  }, 180_000);
  afterAll(async () => {
    await world.browser?.close();
    await world.server?.berth.kill();
    rmSync(tmp, { recursive: true, force: true });
  });
  return world;
}
