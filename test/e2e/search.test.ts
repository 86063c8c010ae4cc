/**
 * Searching tags and digests across repositories, in real Chromium against a real `berth serve
 * --ui`, over images skopeo pushed: a tag's beginning finds the tags that start with it in every
 * repository and none other, a digest's beginning finds the manifest where it is tagged and where
 * an index lists it as a platform. Every hit is checked against the digests the registry serves
 * (what skopeo reads back), the state is in the address (a reload shows the same hits), and a hit
 * opens its image.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { berthWorkspace } from '../helpers/berth-server';
import { guiSession } from './harness';

const ws = berthWorkspace('berth-e2e-search-');
const creds = () => `admin:${gui.server.password}`;
const push = (src: string, dest: string, extra: string[] = []) =>
  gui.skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', creds(), ...extra, `oci:${gui.images.layout.dir}:${src}`, gui.ref(dest)]);
const gui = guiSession(ws, {
  prepare: async () => {
    await push('multi', 'team/app:1.0', ['--all']);
    await push('amd64', 'tools/cli:1.0.2');
    await push('arm64', 'tools/cli:latest');
    await push('amd64', 'other/x:0.9');
  },
});

/** The digest of what the registry serves for `repoTag`, and the manifest itself. */
async function served(repoTag: string): Promise<{ digest: string; manifest: { manifests?: Array<{ digest: string; platform: { architecture: string } }> } }> {
  const raw = (await gui.skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds(), gui.ref(repoTag)])).stdout;
  return { digest: `sha256:${createHash('sha256').update(raw).digest('hex')}`, manifest: JSON.parse(raw) };
}

/** The hits on the page: the image link's text, its href, and the full digest (the digest link's title). */
async function hits(): Promise<Array<{ image: string; href: string; digest: string; platform: string }>> {
  const rows = gui.page.getByTestId('search-hit');
  const out = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    const link = row.getByTestId('search-hit-link');
    out.push({
      image: (await link.textContent())!,
      href: (await link.getAttribute('href'))!,
      digest: (await row.getByTestId('search-hit-digest').getAttribute('title'))!,
      platform: (await row.locator('td').nth(2).textContent())!,
    });
  }
  return out;
}

describe('searching across the local registry', () => {
  it('finds the tags starting with what is typed, in every repository, with the digests pushed', async () => {
    const app = await served('team/app:1.0');
    const cli = await served('tools/cli:1.0.2');
    await gui.go('/browse/local');
    await gui.page.getByTestId('repository-row').first().waitFor();
    await gui.page.getByTestId('search-mode').getByText('Tags', { exact: true }).click();
    await gui.page.getByLabel('Search tags').fill('1.0');
    await gui.page.waitForURL(/#\/browse\/local\?q=1\.0&find=tag$/);
    await expect.poll(() => gui.page.getByTestId('search-hit').count(), { timeout: 15_000 }).toBe(2);
    expect(await hits()).toEqual([
      { image: 'team/app:1.0', href: '#/browse/local/team%2Fapp/1.0', digest: app.digest, platform: '—' },
      { image: 'tools/cli:1.0.2', href: '#/browse/local/tools%2Fcli/1.0.2', digest: cli.digest, platform: '—' },
    ]);
    expect(await gui.page.getByTestId('search-summary').textContent()).toBe('2 hits in 3 repositories searched');
    expect(await gui.page.getByTestId('search-limits').count()).toBe(0);

    // The repository filter narrows it, and it is in the address too.
    await gui.page.getByLabel('Only in repositories containing').fill('TOOLS');
    await gui.page.waitForURL(/&in=TOOLS$/);
    await expect.poll(() => gui.page.getByTestId('search-summary').textContent(), { timeout: 15_000 }).toBe('1 hit in 1 repository searched (names containing “TOOLS”)');
    expect((await hits()).map((h) => h.image)).toEqual(['tools/cli:1.0.2']);
  });

  it('finds a digest by its beginning: tagged, and as a platform of an index', async () => {
    const app = await served('team/app:1.0');
    const latest = await served('tools/cli:latest');
    const arm = app.manifest.manifests!.find((m) => m.platform.architecture === 'arm64')!.digest;
    // The arm64 image was pushed twice: alone as tools/cli:latest, and in the index of team/app:1.0.
    expect(latest.digest).toBe(arm);
    const prefix = arm.slice(0, 'sha256:'.length + 10);
    await gui.go(`/browse/local?q=${encodeURIComponent(prefix)}&find=digest`);
    await expect.poll(() => gui.page.getByTestId('search-hit').count(), { timeout: 15_000 }).toBe(2);
    expect(await hits()).toEqual([
      { image: 'team/app:1.0', href: '#/browse/local/team%2Fapp/1.0', digest: arm, platform: `linux/arm64 of the index ${app.digest.slice(0, 19)}…` },
      { image: 'tools/cli:latest', href: '#/browse/local/tools%2Fcli/latest', digest: arm, platform: '—' },
    ]);
    expect(await gui.page.getByLabel('Search digests').inputValue()).toBe(prefix);
    await gui.shot('search');

    // A reload shows the same search from the address alone.
    await gui.page.reload();
    await expect.poll(() => gui.page.getByTestId('search-hit').count(), { timeout: 15_000 }).toBe(2);
    expect((await hits()).map((h) => h.digest)).toEqual([arm, arm]);

    // A digest no manifest starts with: nothing found, said so.
    const manifests = [app.digest, ...app.manifest.manifests!.map((m) => m.digest)];
    const absent = ['0000', 'ffff', '1234'].find((p) => !manifests.some((d) => d.startsWith(`sha256:${p}`)))!;
    await gui.go(`/browse/local?q=${absent}&find=digest`);
    await gui.page.getByText('Nothing found').waitFor({ timeout: 15_000 });
    expect(await gui.page.getByTestId('search-hit').count()).toBe(0);
  });

  it('a hit opens its image', async () => {
    await gui.go('/browse/local?q=1.0.2&find=tag');
    const link = gui.page.getByTestId('search-hit-link').filter({ hasText: 'tools/cli:1.0.2' });
    await link.click();
    await gui.page.waitForURL(/#\/browse\/local\/tools%2Fcli\/1\.0\.2$/);
    const digest = gui.page.getByTestId('image-digest').locator('[title^="sha256:"]');
    await digest.waitFor({ timeout: 15_000 });
    expect(await digest.getAttribute('title')).toBe((await served('tools/cli:1.0.2')).digest);
  });
});
