/**
 * Archives in Chromium against a real `berth serve --ui` (issue 20): "Export selected tags…" in the
 * local registry's tags view downloads an OCI archive whose images and digests are the server's (read
 * back with `skopeo inspect oci-archive:`), and a docker archive for one platform that skopeo reads;
 * dropping a .tar on the window imports it: the exported OCI archive into another repository, and a
 * docker archive written by skopeo (what `docker save` writes), the images then served with equal
 * digests. Screenshots: docs/screenshots/export-archive.png and import-archive.png.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import * as tar from 'tar';
import { describe, expect, it } from 'vitest';
import { berthWorkspace } from '../helpers/berth-server';
import { ALL_MANIFEST_TYPES } from '../helpers/images';
import { guiSession } from './harness';

const ws = berthWorkspace('berth-e2e-archives-');
const creds = () => `admin:${gui.server.password}`;
const gui = guiSession(ws, {
  prepare: async (s) => {
    const push = (src: string, dest: string, extra: string[] = []) =>
      s.skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', creds(), ...extra, `oci:${s.images.layout.dir}:${src}`, s.ref(dest)]);
    await push('multi', 'demo/app:v1', ['--all']);
    await push('amd64', 'demo/app:v2');
  },
});
const { skopeo, go, shot } = gui;
const basic = () => `Basic ${Buffer.from(creds()).toString('base64')}`;

/** The digest the local registry answers for `repo:ref` (null when it has none). */
async function digestAt(repo: string, ref: string): Promise<string | null> {
  const res = await fetch(`${gui.server.berth.url}/v2/${repo}/manifests/${ref}`, { method: 'HEAD', headers: { accept: ALL_MANIFEST_TYPES, authorization: basic() } });
  return res.status === 200 ? res.headers.get('docker-content-digest') : null;
}
const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Selects tags in the tags view of demo/app and opens the export dialog. */
async function openExport(page: Page, tags: string[]): Promise<void> {
  // From another screen: the tags view opens with nothing selected.
  await go('/registry');
  await go('/browse/local/demo%2Fapp');
  await page.getByTestId('tag-row').first().waitFor();
  for (const tag of tags) await page.getByRole('checkbox', { name: new RegExp(`^Select ${tag}$`) }).check();
  await page.getByTestId('tags-export').click();
  await page.getByTestId('export-form').waitFor();
}

/** Saves the download the export dialog starts, answering its path. */
async function downloadExport(page: Page, name: string): Promise<{ path: string; suggested: string }> {
  const download = page.waitForEvent('download');
  await page.getByTestId('export-start').click();
  const d = await download;
  const path = join(ws.dir, 'downloads', name);
  mkdirSync(join(ws.dir, 'downloads'), { recursive: true });
  await d.saveAs(path);
  return { path, suggested: d.suggestedFilename() };
}

/** Drops `file` on the window as a user would (a DataTransfer holding its bytes). */
async function dropFile(page: Page, file: string, name: string): Promise<void> {
  const b64 = readFileSync(file).toString('base64');
  const transfer = await page.evaluateHandle(
    ({ data, fileName }) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], fileName, { type: 'application/x-tar' }));
      return dt;
    },
    { data: b64, fileName: name },
  );
  await page.dispatchEvent('main', 'dragenter', { dataTransfer: transfer });
  await page.getByTestId('archive-drop-overlay').waitFor();
  await page.dispatchEvent('main', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
  await page.getByTestId('import-form').waitFor();
}

let ociArchive = '';

describe('archives in the browser', () => {
  it('Export selected tags… downloads an OCI archive whose images and digests are the server’s, as skopeo reads it', async () => {
    const page = gui.page;
    await openExport(page, ['v1', 'v2']);
    expect(await page.getByTestId('export-images').textContent()).toBe('demo/app:v1, demo/app:v2');
    // The dialog's opening transition ends before the picture is taken.
    await page.getByRole('dialog').evaluate((el) => Promise.all(document.getAnimations().map((a) => a.finished)).then(() => el.tagName));
    await shot('export-archive');
    const { path, suggested } = await downloadExport(page, 'images.tar');
    expect(suggested).toBe('images.tar');
    ociArchive = path;
    const dir = join(ws.dir, 'oci-x');
    mkdirSync(dir, { recursive: true });
    await tar.x({ file: path, cwd: dir });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
    const want = { v1: await digestAt('demo/app', 'v1'), v2: await digestAt('demo/app', 'v2') };
    expect(index.manifests.map((m) => m.digest).sort()).toEqual([want.v1, want.v2].sort());
    for (const m of index.manifests) {
      const name = m.annotations?.['org.opencontainers.image.ref.name'];
      expect(name, JSON.stringify(m)).toBeTruthy();
      const raw = (await skopeo(['inspect', '--raw', `oci-archive:${path}:${name}`])).stdout;
      expect(sha256(raw)).toBe(m.digest);
    }
    await page.keyboard.press('Escape');
  });

  it('exports one tag as a docker archive for the platform chosen, which skopeo reads with that platform', async () => {
    const page = gui.page;
    await openExport(page, ['v1']);
    await page.getByTestId('export-format-docker').check();
    await page.getByTestId('export-platform').click();
    await page.getByRole('option', { name: 'linux/arm64' }).click();
    const { path, suggested } = await downloadExport(page, 'demo_app-v1.tar');
    expect(suggested).toBe('demo_app-v1.tar');
    const inspected = JSON.parse((await skopeo(['inspect', `docker-archive:${path}`])).stdout) as { Architecture: string; Os: string };
    expect([inspected.Os, inspected.Architecture]).toEqual(['linux', 'arm64']);
    await page.keyboard.press('Escape');
  });

  it('dropping the exported OCI archive imports it into another repository with equal digests', async () => {
    const page = gui.page;
    await go('/registry');
    await dropFile(page, ociArchive, 'images.tar');
    await page.getByTestId('import-to').fill('roundtrip/app');
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-summary').textContent()).toContain('2 imported, 0 failed');
    const targets = await page.getByTestId('import-target').allTextContents();
    expect(targets.sort()).toEqual(['roundtrip/app:v1', 'roundtrip/app:v2']);
    expect(await digestAt('roundtrip/app', 'v1')).toBe(await digestAt('demo/app', 'v1'));
    expect(await digestAt('roundtrip/app', 'v2')).toBe(await digestAt('demo/app', 'v2'));
    await shot('import-archive');
    await page.getByTestId('import-close').click();
  });

  it('dropping a docker archive written by skopeo (as docker save writes) imports its image with the same config and layers', async () => {
    const page = gui.page;
    const file = join(ws.dir, 'saved.tar');
    await skopeo(['copy', '--quiet', `oci:${gui.images.layout.dir}:arm64`, `docker-archive:${file}:saved/tool:2.0`]);
    await dropFile(page, file, 'saved.tar');
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-target').allTextContents()).toEqual(['saved/tool:2.0']);
    const digest = await digestAt('saved/tool', '2.0');
    expect(digest).toMatch(/^sha256:/);
    // The registry's manifest names the archive's config and layers (docker save keeps the image ID, its config's digest).
    const res = await fetch(`${gui.server.berth.url}/v2/saved/tool/manifests/2.0`, { headers: { accept: ALL_MANIFEST_TYPES, authorization: basic() } });
    const manifest = (await res.json()) as { config: { digest: string } };
    const fromArchive = JSON.parse((await skopeo(['inspect', '--raw', `docker-archive:${file}`])).stdout) as { config: { digest: string } };
    expect(manifest.config.digest).toBe(fromArchive.config.digest);
    const configInArchive = JSON.parse((await skopeo(['inspect', '--config', '--raw', `docker-archive:${file}`])).stdout) as { architecture: string };
    expect(configInArchive.architecture).toBe('arm64');
    await page.getByTestId('import-close').click();
  });
});
