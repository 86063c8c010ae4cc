/**
 * The GUI's administration workflows in real Chromium against a real `berth serve --ui` (with HTTPS
 * on the side): storage totals, deleting a repository and garbage-collecting its blobs (checked in
 * the data directory), adding a user whose rights skopeo then meets, a group created in the GUI
 * giving its member a right skopeo then uses, the last administrator kept, and the certificates
 * screen's client bundle (checked with tar against the CA on disk).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth } from '../helpers/berth-server';
import { runTool } from '../helpers/images';
import { guiSession } from './harness';

const ws = berthWorkspace('berth-e2e-admin-');
const push = (src: string, dest: string, creds: string, allowFailure = false) =>
  skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${gui.images.layout.dir}:${src}`, ref(dest)], allowFailure);
const gui = guiSession(ws, {
  serveArgs: ['--tls-listen', '127.0.0.1:0'],
  prepare: async (s) => {
    // Two images that share no blob: deleting demo/tool leaves its blobs collectable.
    await push('arm64', 'demo/app:1.0', `admin:${s.server.password}`);
    await push('amd64', 'demo/tool:v1', `admin:${s.server.password}`);
  },
});
const { skopeo, ref, go, shot } = gui;
/** The path of a blob in registry:2's layout under the data directory. */
const blobFile = (digest: string) => {
  const hex = digest.replace(/^sha256:/, '');
  return join(gui.dataDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
};

describe('storage and garbage collection', () => {
  it('shows the totals, deletes a repository, previews and runs GC that really removes its blobs', async () => {
    await go('/storage');
    await expect.poll(() => gui.page.getByTestId('total-repositories').textContent()).toMatch(/\D2$/);
    await gui.page.locator('[data-testid="treemap-cell"][data-repository="demo/tool"]').waitFor();
    await gui.page.locator('[data-testid="treemap-cell"][data-repository="demo/app"]').waitFor();
    // The storage screenshot is taken by storage.test.ts, with a history to show.

    // The blobs only demo/tool uses: its manifest's config and layers.
    const toolManifest = gui.images.layout.json(gui.images.layout.descriptor('amd64').digest);
    const toolBlobs = [toolManifest.config.digest, ...toolManifest.layers.map((l: { digest: string }) => l.digest)] as string[];
    for (const d of toolBlobs) expect(existsSync(blobFile(d)), d).toBe(true);

    await gui.page.getByTestId('repository-usage').getByText('Table', { exact: true }).click();
    await gui.page.getByTestId('delete-repository-demo/tool').click();
    const confirm = gui.page.getByTestId('delete-repository-confirm');
    expect(await confirm.isDisabled()).toBe(true);
    await gui.page.getByTestId('delete-repository-confirm-input').fill('demo/tool');
    await confirm.click();
    await expect.poll(() => gui.page.locator('[data-testid="usage-row"][data-repository="demo/tool"]').count(), { timeout: 15_000 }).toBe(0);
    const gone = await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', `admin:${gui.server.password}`, ref('demo/tool:v1')], true);
    expect(gone.code).not.toBe(0);
    // The repository went to the trash, which holds its blobs back from a collection: let it go first.
    const emptied = await runBerth(['trash', 'empty', '--data', gui.dataDir]);
    expect(emptied.stdout).toMatch(/^removed [1-9]\d* items? from the trash/);

    await gui.page.getByTestId('gc-grace').fill('0');
    await gui.page.getByTestId('gc-preview').click();
    const preview = gui.page.getByTestId('gc-preview-result');
    await preview.waitFor({ timeout: 30_000 });
    const blobsTable = gui.page.getByTestId('gc-preview-blobs');
    await blobsTable.waitFor();
    const previewText = (await blobsTable.textContent())!;
    for (const d of toolBlobs) expect(previewText).toContain(d.slice(7, 7 + 12));
    // A dry run removes nothing.
    for (const d of toolBlobs) expect(existsSync(blobFile(d)), d).toBe(true);
    // The preview is below the storage pictures: bring it into view for the screenshot.
    await preview.scrollIntoViewIfNeeded();
    await shot('gc-preview');

    await gui.page.getByTestId('gc-run').click();
    await gui.page.getByTestId('gc-confirm').click();
    await gui.page.getByTestId('gc-report').waitFor({ timeout: 60_000 });
    expect(await gui.page.getByTestId('gc-report').textContent()).toMatch(/\d/);
    for (const d of toolBlobs) expect(existsSync(blobFile(d)), d).toBe(false);
    // demo/app's blobs stay and it still pulls.
    const appManifest = gui.images.layout.json(gui.images.layout.descriptor('arm64').digest);
    expect(existsSync(blobFile(appManifest.config.digest))).toBe(true);
    await skopeo(['inspect', '--tls-verify=false', '--creds', `admin:${gui.server.password}`, ref('demo/app:1.0')]);
  });
});

describe('users', () => {
  const password = 'ci-bot-Secret-123';
  const userRow = (name: string) => gui.page.locator(`[data-testid="user-row"][data-user="${name}"]`);

  it('adds a user with push rights on demo/* that skopeo can push with, and only there', async () => {
    await go('/users');
    await gui.page.getByTestId('add-user').click();
    await gui.page.getByTestId('user-name').fill('ci-bot');
    await gui.page.getByTestId('user-password').fill(password);
    await gui.page.getByTestId('user-rights').fill('push@demo/*');
    await gui.page.getByTestId('save-user').click();
    const row = gui.page.locator('[data-testid="user-row"][data-user="ci-bot"]');
    await row.waitFor();
    expect(await row.getByTestId('user-rules').textContent()).toContain('push@demo/*');

    // At once, as a user would: the server re-reads the user files after a change from the GUI.
    await push('amd64', 'demo/bot:1', `ci-bot:${password}`);
    const digest = (await skopeo(['inspect', '--tls-verify=false', '--creds', `ci-bot:${password}`, '--format', '{{.Digest}}', ref('demo/bot:1')])).stdout.trim();
    expect(digest).toBe(gui.images.layout.descriptor('amd64').digest);
    const refused = await push('amd64', 'other/x:1', `ci-bot:${password}`, true);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/denied|unauthorized|forbidden/i);
    const wrong = await push('amd64', 'demo/bot:2', 'ci-bot:not-the-password', true);
    expect(wrong.code).not.toBe(0);
  });

  it('creates a group and puts the user in it: the server then grants the user the group\'s right', async () => {
    const page = gui.page;
    await go('/users');
    const before = await push('amd64', 'team/app:1', `ci-bot:${password}`, true);
    expect(before.code).not.toBe(0);

    await page.getByTestId('add-group').click();
    await page.getByTestId('group-name').fill('builders');
    await page.getByTestId('group-rights').fill('push@team/*');
    await page.getByTestId('save-group').click();
    const group = page.locator('[data-testid="group-row"][data-group="builders"]');
    await group.waitFor();
    expect(await group.getByTestId('group-rules').textContent()).toBe('push@team/*');

    await userRow('ci-bot').getByRole('button', { name: 'Edit groups of ci-bot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Groups of ci-bot' });
    await dialog.getByRole('checkbox', { name: 'builders' }).check();
    await dialog.getByTestId('save-user-groups').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => userRow('ci-bot').getByTestId('user-groups').textContent()).toBe('builders');
    await expect.poll(() => group.getByTestId('group-members').textContent()).toBe('ci-bot');
    await shot('users');

    // What the GUI shows is what the server does: the right comes through the group, at once.
    await push('amd64', 'team/app:1', `ci-bot:${password}`);
    const digest = (await skopeo(['inspect', '--tls-verify=false', '--creds', `ci-bot:${password}`, '--format', '{{.Digest}}', ref('team/app:1')])).stdout.trim();
    expect(digest).toBe(gui.images.layout.descriptor('amd64').digest);
    const listed = await runBerth(['group', 'list', '--json', '--data', gui.dataDir]);
    expect(JSON.parse(listed.stdout)).toEqual({ groups: [{ name: 'builders', rules: 'push@team/*', members: ['ci-bot'] }] });
  });

  it('refuses to remove the last administrator, says why, and the administrator stays on the server', async () => {
    const page = gui.page;
    await go('/users');
    await userRow('admin').getByRole('button', { name: 'Remove admin' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove admin?' });
    await dialog.getByTestId('confirm-remove-user').click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    const said = (await alert.textContent())!;
    expect(said).toContain('Berth needs at least one administrator');
    expect(said).toContain("admin is the only user with admin@*, and the registry would have no administrator left; give another user admin@* first");
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await userRow('admin').getByTestId('user-rules').textContent()).toBe('admin@*');

    // The server agrees: admin is still in both files, logs in and sees the whole catalog.
    const users = JSON.parse((await runBerth(['user', 'list', '--json', '--data', gui.dataDir])).stdout) as { users: Array<{ name: string; rules: string }> };
    expect(users.users.find((u) => u.name === 'admin')).toMatchObject({ rules: 'admin@*' });
    const catalog = await fetch(`${gui.server.berth.url}/v2/_catalog`, { headers: { authorization: `Basic ${Buffer.from(`admin:${gui.server.password}`).toString('base64')}` } });
    expect(catalog.status).toBe(200);
  });
});

describe('certificates', () => {
  it('shows the CA and server certificate and exports a client bundle holding the CA', async () => {
    await go('/certificates');
    await gui.page.getByTestId('cert-ca').waitFor();
    await gui.page.getByTestId('cert-server').waitFor();
    expect(await gui.page.getByTestId('cert-tls-url').textContent()).toMatch(/https:\/\/127\.0\.0\.1:\d+/);
    expect(await gui.page.getByTestId('cert-server-names').textContent()).toMatch(/127\.0\.0\.1|localhost/);
    await shot('certificates');

    await gui.page.getByTestId('cert-bundle-host').fill('registry.example.test:5443');
    const [download] = await Promise.all([gui.page.waitForEvent('download'), gui.page.getByTestId('cert-bundle-download').click()]);
    expect(download.suggestedFilename()).toMatch(/\.tar\.gz$/);
    const file = join(ws.dir, download.suggestedFilename());
    await download.saveAs(file);
    await gui.page.getByTestId('cert-bundle-result').waitFor();

    const list = (await runTool('tar', ['tzf', file])).stdout.split('\n').filter(Boolean);
    const caEntry = list.find((p) => /(^|\/)ca\.crt$/.test(p));
    expect(caEntry, list.join(', ')).toBeDefined();
    const out = join(ws.dir, 'bundle');
    await runTool('mkdir', ['-p', out]);
    await runTool('tar', ['xzf', file, '-C', out]);
    expect(readFileSync(join(out, caEntry!), 'utf8')).toBe(readFileSync(join(gui.dataDir, 'berth', 'tls', 'ca.crt'), 'utf8'));
    expect(readdirSync(out).length).toBeGreaterThan(0);
  });

  it('refuses a name outside what the CA may vouch for, then makes a new CA for it only once confirmed; the server serves what the screen says', async () => {
    await go('/certificates');
    const scope = gui.page.getByTestId('cert-ca-scope');
    await scope.waitFor();
    expect(await scope.textContent()).toContain('localhost');
    const caBefore = readFileSync(join(gui.dataDir, 'berth', 'tls', 'ca.crt'), 'utf8');
    await gui.page.getByTestId('cert-name-input').fill('registry.example.test');
    await gui.page.getByTestId('cert-name-add').click();
    await gui.page.getByTestId('cert-regenerate').click();
    await gui.page.getByTestId('cert-regenerate-confirm').click();
    const offer = gui.page.getByTestId('cert-error-new-ca');
    await offer.waitFor();
    expect(await gui.page.getByRole('alert').filter({ hasText: 'registry.example.test' }).first().textContent()).toContain('outside the names');
    // Refused: nothing changed on disk.
    expect(readFileSync(join(gui.dataDir, 'berth', 'tls', 'ca.crt'), 'utf8')).toBe(caBefore);

    await offer.click();
    const dialog = gui.page.getByRole('dialog', { name: 'Make a new CA?' });
    expect(await dialog.textContent()).toContain('registry.example.test');
    await dialog.getByTestId('cert-new-ca-confirm').click();
    await expect.poll(() => scope.textContent(), { timeout: 30_000 }).toContain('registry.example.test');
    const caAfter = new X509Certificate(readFileSync(join(gui.dataDir, 'berth', 'tls', 'ca.crt'), 'utf8'));
    expect(caAfter.fingerprint256).not.toBe(new X509Certificate(caBefore).fingerprint256);
    // The CA card shows the CA now on disk, and the HTTPS listener serves a certificate it signed for the name.
    expect((await gui.page.getByTestId('cert-ca').textContent())!.replace(/\s/g, '')).toContain(caAfter.fingerprint256.replace(/\s/g, ''));
    const tlsPort = Number(/https:\/\/127\.0\.0\.1:(\d+)/.exec((await gui.page.getByTestId('cert-tls-url').textContent())!)![1]);
    const served = await new Promise<X509Certificate>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: tlsPort, servername: 'registry.example.test', rejectUnauthorized: false }, () => {
        const raw = socket.getPeerX509Certificate();
        socket.end();
        if (raw) resolve(raw);
        else reject(new Error('no certificate'));
      });
      socket.on('error', reject);
    });
    expect(served.subjectAltName).toContain('DNS:registry.example.test');
    expect(served.verify(caAfter.publicKey)).toBe(true);
  });
});
