/**
 * The GUI's connections workflow in real Chromium against a real `berth serve --ui`: a connection
 * to a second `berth serve --auth basic` is tested and saved through the form, browsed, and an
 * image is copied to it from the image screen; skopeo then finds the copy in the second registry.
 * The image screen writes pull commands (podman's and skopeo's are run as shown) and opens the
 * image's referrers (SBOMs, a signature) in a viewer with a summary of each format. Copying tells
 * the truth about the target: a warning with both digests before a tag is replaced, a rate and the
 * time left, Cancel in the middle of a blob (held by a proxy) leaving the target as it was, and
 * referrers taken along. Then the connection's URL is moved to another registry: the form asks for
 * the password again, and the saved one never reaches the new address.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { invoke, login } from '../bridge/client';
import { startRecordingRegistry, type RecordingRegistry } from '../connections/recording-registry';
import { startHeldUploadsProxy, type HeldUploadsProxy } from '../copy/held-uploads-proxy';
import { openUploads } from '../copy/images';
import { referrerLayout, type WrittenReferrer } from '../copy/referrers';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { guiSession } from './harness';

const ws = berthWorkspace('berth-e2e-connections-');
const REMOTE_USER = 'mirror';
const REMOTE_PASSWORD = 'mirror-Secret-456';
let remote: RunningBerth;
let remoteData: string;
let referrers: WrittenReferrer[];
const gui = guiSession(ws, {
  prepare: async (s) => {
    // The second registry: Basic auth with one user made up front.
    remoteData = ws.fresh('remote');
    const added = await runBerth(['user', 'add', REMOTE_USER, '--password-stdin', '--access', 'admin@*', '--data', remoteData], { input: `${REMOTE_PASSWORD}\n` });
    expect(added.code, added.stderr).toBe(0);
    remote = await ws.serve(remoteData, ['--auth', 'basic']);
    await s.skopeo(['copy', '--quiet', '--all', '--dest-tls-verify=false', '--dest-creds', `admin:${s.server.password}`, `oci:${s.images.layout.dir}:multi`, s.ref('demo/app:1.0')]);
    // Referrers of the index (SBOMs, a signature, an attestation), pushed by digest by skopeo.
    const index = s.images.layout.descriptor('multi');
    const layout = join(ws.dir, 'referrers');
    referrers = referrerLayout(layout, `${s.server.berth.host}/demo/app`, { mediaType: index.mediaType, digest: index.digest, size: index.size });
    for (const r of referrers) {
      await s.skopeo(['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', `admin:${s.server.password}`, `oci:${layout}:${r.kind}`, s.ref(`demo/app@${r.digest}`)]);
    }
  },
});
const { skopeo, go, shot } = gui;

describe('connections', () => {
  it('adds a connection to a second registry after a successful test, and browses it', async () => {
    await go('/connections');
    await gui.page.getByTestId('connection-row').first().waitFor();
    await gui.page.getByTestId('add-connection').click();
    await gui.page.getByTestId('connection-name').fill('second');
    await gui.page.getByTestId('connection-url').fill(remote.url);
    await gui.page.getByTestId('connection-username').fill(REMOTE_USER);
    await gui.page.getByTestId('connection-password').fill(REMOTE_PASSWORD);

    await gui.page.getByTestId('connection-test').click();
    const result = gui.page.getByTestId('connection-test-result');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-code')).toBeNull();
    expect(await result.textContent()).toMatch(/answered/);

    await gui.page.getByTestId('connection-save').click();
    const row = gui.page.locator('[data-testid="connection-row"][aria-label="second"]');
    await row.waitFor();
    const nav = gui.page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'second' }).waitFor();
    await shot('connections');

    await nav.getByRole('link', { name: 'second' }).click();
    await gui.page.getByTestId('repositories-empty').waitFor({ timeout: 20_000 });
    expect(await gui.page.getByTestId('repository-row').count()).toBe(0);
  });

  it('copies a multi-platform image to it from the image screen', async () => {
    await go('/browse/local/demo%2Fapp/1.0');
    await gui.page.getByTestId('platform-tabs').waitFor();
    await gui.page.getByTestId('image-copy-open').click();
    const dialog = gui.page.getByRole('dialog');
    await dialog.getByTestId('copy-target-connection').waitFor();
    expect(await dialog.getByTestId('copy-target-connection').inputValue()).toBe('second');
    expect(await dialog.getByTestId('copy-target-repository').inputValue()).toBe('demo/app');
    expect(await dialog.getByTestId('copy-target-tag').inputValue()).toBe('1.0');
    await dialog.getByTestId('copy-start').click();
    await dialog.getByTestId('copy-progress').waitFor();
    await dialog.getByTestId('copy-result').waitFor({ timeout: 60_000 });
    const bar = dialog.getByRole('progressbar', { name: 'Copy progress' });
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');

    const creds = `${REMOTE_USER}:${REMOTE_PASSWORD}`;
    const copied = JSON.parse((await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${remote.host}/demo/app:1.0`])).stdout);
    const source = JSON.parse((await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', `admin:${gui.server.password}`, `docker://${gui.server.berth.host}/demo/app:1.0`])).stdout);
    expect(copied).toEqual(source);
    const digest = (await skopeo(['inspect', '--tls-verify=false', '--creds', creds, '--format', '{{.Digest}}', `docker://${remote.host}/demo/app:1.0`])).stdout.trim();
    expect(digest).toBe(gui.images.layout.descriptor('multi').digest);
    // Each platform's image is there too.
    for (const arch of ['amd64', 'arm64']) {
      await skopeo(['inspect', '--tls-verify=false', '--creds', creds, '--override-arch', arch, '--override-os', 'linux', `docker://${remote.host}/demo/app:1.0`]);
    }

    // And the GUI browses it on the second connection.
    await gui.page.keyboard.press('Escape');
    await gui.page.getByRole('dialog').waitFor({ state: 'hidden' });
    await gui.page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'second' }).click();
    await gui.page.getByTestId('repository-row').filter({ hasText: 'demo/app' }).waitFor({ timeout: 20_000 });
  });
});

describe('the image screen of a signed image', () => {
  it('writes pull commands for docker, podman and skopeo, and those of podman and skopeo pull the image', async () => {
    await go('/browse/local/demo%2Fapp/1.0');
    await gui.page.getByTestId('platform-tabs').waitFor();
    const host = gui.server.berth.host;
    const index = gui.images.layout.descriptor('multi').digest;
    const pull = gui.page.getByTestId('image-pull-commands');
    const command = async (which: 'tag' | 'digest') => (await pull.getByTestId(`pull-by-${which}`).locator('pre, code').first().textContent())?.trim();
    const choose = (client: string) => pull.getByTestId('pull-client').getByText(client, { exact: true }).click();
    const expected = {
      docker: [`docker pull ${host}/demo/app:1.0`, `docker pull ${host}/demo/app@${index}`],
      podman: [`podman pull --tls-verify=false ${host}/demo/app:1.0`, `podman pull --tls-verify=false ${host}/demo/app@${index}`],
      skopeo: [`skopeo copy --src-tls-verify=false docker://${host}/demo/app:1.0 oci:app:1.0`, `skopeo copy --src-tls-verify=false docker://${host}/demo/app@${index} oci:app`],
    };
    for (const [client, [byTag, byDigest]] of Object.entries(expected)) {
      await choose(client);
      await expect.poll(() => command('tag'), { message: client }).toBe(byTag);
      expect(await command('digest'), client).toBe(byDigest);
    }

    // Run as shown (credentials added; skopeo's layout under the test's directory, not the working one).
    const admin = `admin:${gui.server.password}`;
    const [, , ...skopeoArgs] = expected.skopeo[0]!.split(' ');
    const into = join(ws.dir, 'pulled');
    mkdirSync(into, { recursive: true });
    await skopeo(['copy', '--src-creds', admin, ...skopeoArgs.map((a) => (a.startsWith('oci:') ? `oci:${join(into, a.slice(4))}` : a))]);
    const pulledIndex = JSON.parse(readFileSync(join(into, 'app', 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    expect(pulledIndex.manifests.length).toBe(1);
    const [, , ...podmanArgs] = expected.podman[1]!.split(' ');
    const pulled = await gui.images.sandbox.podman(['pull', '--quiet', '--creds', admin, ...podmanArgs], {}, 'pull');
    expect(pulled.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('opens each referrer in a viewer with a summary of its format; what the registry sent stays text', async () => {
    await go('/browse/local/demo%2Fapp/1.0');
    const table = gui.page.getByTestId('referrers-table');
    await table.waitFor({ timeout: 20_000 });
    expect(await table.locator('tbody tr').count()).toBe(4);
    const open = async (artifactType: string) => {
      await table.locator('tbody tr').filter({ hasText: artifactType }).getByTestId('referrer-view').click();
      const viewer = gui.page.getByRole('dialog', { name: `Referrer: ${artifactType}` });
      await viewer.getByTestId('referrer-viewer').waitFor({ timeout: 20_000 });
      return viewer;
    };
    const close = async (viewer: Locator) => {
      await gui.page.keyboard.press('Escape');
      await viewer.waitFor({ state: 'hidden' });
    };
    const name = `${gui.server.berth.host}/demo/app`;
    const index = gui.images.layout.descriptor('multi').digest;

    const spdx = await open('application/spdx+json');
    const spdxSummary = spdx.getByTestId('referrer-summary-spdx');
    expect(await spdxSummary.textContent()).toContain('SPDX SBOM');
    for (const fact of [name, 'SPDX-2.3', '3 packages', 'Tool: syft-1.0.0, Organization: Berth tests']) expect(await spdxSummary.textContent()).toContain(fact);
    // The JSON as text: a package named like markup is shown, never made an element.
    expect(await spdx.getByTestId('referrer-blob').filter({ hasText: 'application/spdx+json' }).textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await gui.page.locator('img[src="x"]').count()).toBe(0);
    const manifest = JSON.parse((await spdx.getByTestId('referrer-manifest').textContent())!) as { subject: { digest: string } };
    expect(manifest.subject.digest).toBe(index);
    await shot('referrer-viewer');
    await close(spdx);

    const cdx = await open('application/vnd.cyclonedx+json');
    const cdxText = await cdx.getByTestId('referrer-summary-cyclonedx').textContent();
    for (const fact of ['CycloneDX SBOM', name, 'CycloneDX 1.5', '2 components', 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79']) expect(cdxText).toContain(fact);
    await close(cdx);

    const sig = await open('application/vnd.dev.cosign.artifact.sig.v1+json');
    const sigText = await sig.getByTestId('referrer-summary-cosign-signature').textContent();
    for (const fact of ['cosign signature', name, index, 'cosign container image signature', 'present (not verified by Berth)', 'creator=berth-tests']) expect(sigText).toContain(fact);
    await close(sig);
  });
});

describe('copying tells the truth about the target', () => {
  const creds = () => `${REMOTE_USER}:${REMOTE_PASSWORD}`;
  const digestOn = async (ref: string) =>
    (await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds(), `docker://${remote.host}/${ref}`])).stdout;
  const armChild = () => {
    const index = gui.images.layout.json(gui.images.layout.descriptor('multi').digest) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
    return index.manifests.find((m) => m.platform.architecture === 'arm64')!.digest;
  };
  const sha = (raw: string) => `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const basic = () => `Basic ${Buffer.from(creds()).toString('base64')}`;
  const remoteJson = async (path: string) => {
    const res = await fetch(`${remote.url}${path}`, { headers: { authorization: basic() } });
    expect(res.status, path).toBe(200);
    return res.json();
  };

  /** Opens the copy dialog of local demo/app:1.0, on `target`, with `repository` and `tag` filled in. */
  async function openCopy(target: string, repository: string, tag: string) {
    await go('/browse/local/demo%2Fapp/1.0');
    await gui.page.getByTestId('platform-tabs').waitFor();
    await gui.page.getByTestId('image-copy-open').click();
    const dialog = gui.page.getByRole('dialog', { name: 'Copy to another connection' });
    await dialog.getByTestId('copy-target-connection').waitFor();
    if ((await dialog.getByTestId('copy-target-connection').inputValue()) !== target) {
      await dialog.getByTestId('copy-target-connection').click();
      await gui.page.getByRole('option', { name: target, exact: true }).click();
    }
    await dialog.getByTestId('copy-target-repository').fill(repository);
    await dialog.getByTestId('copy-target-tag').fill(tag);
    return dialog;
  }

  it('warns before one platform replaces the 2-platform index, with both digests; the tag changes only after Replace it', async () => {
    const multi = gui.images.layout.descriptor('multi').digest;
    const arm = armChild();
    expect(sha(await digestOn('demo/app:1.0'))).toBe(multi);
    const dialog = await openCopy('second', 'demo/app', '1.0');
    await dialog.getByText('Pick platforms').click();
    await dialog.getByLabel('Platforms', { exact: true }).click();
    await gui.page.getByRole('option', { name: 'linux/arm64' }).click();
    // Closes the list (Escape would close the dialog).
    await dialog.getByText('From demo/app:1.0').click();
    await dialog.getByTestId('copy-start').click();
    const warning = dialog.getByTestId('copy-overwrite-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('demo/app:1.0 on second holds another image');
    const current = await warning.getByTestId('copy-overwrite-current').textContent();
    expect(current).toContain('an index of 2 platforms (linux/amd64, linux/arm64)');
    expect(current).toContain(multi);
    const next = await warning.getByTestId('copy-overwrite-new').textContent();
    expect(next).toContain('a single image (linux/arm64)');
    expect(next).toContain(arm);
    await dialog.getByTestId('copy-confirm-overwrite').scrollIntoViewIfNeeded();
    await shot('copy-overwrite');

    // Back: nothing was written.
    await dialog.getByRole('button', { name: 'Back' }).click();
    await warning.waitFor({ state: 'hidden' });
    expect(sha(await digestOn('demo/app:1.0'))).toBe(multi);

    await dialog.getByTestId('copy-start').click();
    await dialog.getByTestId('copy-confirm-overwrite').click();
    const result = dialog.getByTestId('copy-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toContain(`replaced ${multi.slice(0, 19)}`);
    const now = await digestOn('demo/app:1.0');
    expect(sha(now)).toBe(arm);
    expect(JSON.parse(now).mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    await gui.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  describe('through a network that holds uploads', () => {
    let proxy: HeldUploadsProxy | undefined;
    afterAll(async () => {
      proxy?.release();
      await proxy?.close();
    });

    it('Cancel stops a copy in the middle of a blob, after showing its rate and time left: the tag and the registry are as they were', async () => {
      proxy = await startHeldUploadsProxy(remote.url);
      const admin = await login(gui.server.berth.url, { username: 'admin', password: gui.server.password });
      const added = await invoke(gui.server.berth.url, admin, 'connections:add', { name: 'held', kind: 'registry', url: proxy.url, username: REMOTE_USER, password: REMOTE_PASSWORD });
      expect(added.json.ok, added.text).toBe(true);
      // The tag holds the amd64 image; the copy brings the whole index, whose arm64 blobs must move.
      await skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', creds(), `oci:${gui.images.layout.dir}:amd64`, `docker://${remote.host}/cancel/app:1.0`]);
      const before = await digestOn('cancel/app:1.0');
      const tagsBefore = await remoteJson('/v2/cancel/app/tags/list');

      const dialog = await openCopy('held', 'cancel/app', '1.0');
      // Every line the rate ever shows, recorded in the page as it renders (a line lasts seconds).
      await gui.page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { rateLines: string[] }).rateLines = seen;
        new MutationObserver(() => {
          const t = document.querySelector('[data-testid="copy-rate"]')?.textContent;
          if (t && seen[seen.length - 1] !== t) seen.push(t);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await dialog.getByTestId('copy-start').click();
      const warning = dialog.getByTestId('copy-overwrite-warning');
      await warning.waitFor();
      expect(await warning.getByTestId('copy-overwrite-current').textContent()).toContain(sha(before));
      await dialog.getByTestId('copy-confirm-overwrite').click();
      // Held, or (a failure) ended some other way: then say how.
      const ended = dialog.locator('[data-testid="copy-result"], [role="alert"]').first();
      const first = await Promise.race([proxy.firstHeld.then(() => 'held'), ended.waitFor({ timeout: 60_000 }).then(() => ended.textContent())]);
      expect(first).toBe('held');
      // The server measures what really moves: a rate and the time left while the bytes flowed,
      // then, with the upload held, that nothing moves (and no time left is promised).
      const rate = dialog.getByTestId('copy-rate');
      await rate.filter({ hasText: 'nothing moved for a few seconds' }).waitFor({ timeout: 30_000 });
      const lines = await gui.page.evaluate(() => (window as unknown as { rateLines: string[] }).rateLines);
      expect(lines.some((l) => /^\d+(\.\d+)? [kKMGT]?i?B\/s · about \d+ (s|min) left$/.test(l)), lines.join(' | ')).toBe(true);
      expect(lines[lines.length - 1]).toBe('nothing moved for a few seconds');
      const cancel = dialog.getByRole('button', { name: 'Cancel copy' });
      expect(await cancel.isEnabled()).toBe(true);
      await shot('copy-cancel');
      await cancel.click();
      const stopped = dialog.getByTestId('copy-cancelled');
      await stopped.waitFor({ timeout: 30_000 });
      expect(await stopped.textContent()).toContain('cancel/app:1.0 is as it was');
      expect(await dialog.getByTestId('copy-result').count()).toBe(0);

      // The held upload was given up by the copy, so none of it ever reached the registry.
      await proxy.drained();
      expect(proxy.held).toBe(0);
      // The tag holds the very bytes it held, and nothing of the index was left behind.
      expect(await digestOn('cancel/app:1.0')).toBe(before);
      expect(await remoteJson('/v2/cancel/app/tags/list')).toEqual(tagsBefore);
      expect(openUploads(remoteData, 'cancel/app')).toEqual([]);
      for (const digest of [gui.images.layout.descriptor('multi').digest, armChild()]) {
        const head = await fetch(`${remote.url}/v2/cancel/app/manifests/${digest}`, { method: 'HEAD', headers: { authorization: basic() } });
        expect(head.status, digest).toBe(404);
      }
      // The footer's Close (the dialog's own close button has the same name).
      await dialog.getByRole('form', { name: 'Copy image' }).getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'hidden' });
    });
  });

  it('takes the referrers along when asked: the second registry lists them under the image', async () => {
    const index = gui.images.layout.descriptor('multi').digest;
    const dialog = await openCopy('second', 'signed/app', '1.0');
    await dialog.getByTestId('copy-referrers').check();
    await dialog.getByTestId('copy-start').click();
    const result = dialog.getByTestId('copy-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await dialog.getByTestId('copy-result-referrers').textContent()).toContain('4 referrers copied');
    const listed = (await remoteJson(`/v2/signed/app/referrers/${index}`)) as { manifests: Array<{ digest: string }> };
    expect(new Set(listed.manifests.map((m) => m.digest))).toEqual(new Set(referrers.map((r) => r.digest)));
    // skopeo reads each one there, byte for byte as it was written.
    for (const r of referrers) expect(await digestOn(`signed/app@${r.digest}`), r.kind).toBe(r.body.toString());
    expect(sha(await digestOn('signed/app:1.0'))).toBe(index);
    await gui.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });
});

describe('a connection moved to another address', () => {
  let elsewhere: RecordingRegistry | undefined;
  afterAll(async () => {
    await elsewhere?.close();
  });

  it('asks for the password again, and the saved one never reaches the new address', async () => {
    const dir = join(ws.dir, 'elsewhere');
    mkdirSync(dir);
    elsewhere = await startRecordingRegistry(dir, REMOTE_USER, REMOTE_PASSWORD);
    const newUrl = `http://127.0.0.1:${elsewhere.port}`;
    await go('/connections');
    const row = gui.page.locator('[data-testid="connection-row"][aria-label="second"]');
    await row.getByTestId('password-stored').waitFor();
    await row.getByRole('button', { name: 'Edit second' }).click();
    const dialog = gui.page.getByRole('dialog', { name: 'Edit second' });
    await dialog.getByTestId('connection-url').fill(newUrl);
    const warning = dialog.getByTestId('connection-origin-changed');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(`is not sent to ${newUrl}`);
    await shot('connection-moved');
    await dialog.getByTestId('connection-save').click();
    await gui.page.getByTestId('connection-password-dropped').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByText(newUrl).waitFor();
    expect(await row.getByTestId('password-stored').count()).toBe(0);

    await row.getByRole('button', { name: 'Test second' }).click();
    const result = gui.page.getByTestId('connection-list-test-result');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-code')).toBe('AUTH_REQUIRED');
    expect(elsewhere.seen.length).toBeGreaterThan(0);
    expect(elsewhere.seen.filter((r) => r.authorization !== undefined)).toEqual([]);
  });
});
