import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { connections, multiArchImage, spdxReferrer } from './ImageScreen.fixtures';
import { ImageScreen } from './ImageScreen';

const props = { connection: 'local', repository: 'team/app', reference: '1.0' };

describe('ImageScreen', () => {
  it('shows a loader while the image is read', async () => {
    const api = createFakeApi({ 'browse:image': { pending: true }, 'connections:list': connections });
    renderScreen(<ImageScreen {...props} />, api);
    expect(await screen.findByText('Reading the image…')).toBeTruthy();
    expect(api.calls.find((c) => c.channel === 'browse:image')?.args).toEqual(props);
  });

  it('shows an error in words', async () => {
    const api = createFakeApi({ 'browse:image': { error: { code: 'UNREACHABLE', message: 'connect ECONNREFUSED 10.0.0.1:443' } }, 'connections:list': connections });
    renderScreen(<ImageScreen {...props} />, api);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Cannot reach the registry');
    expect(alert.textContent).toContain('ECONNREFUSED');
  });

  it('says when the image does not exist (empty)', async () => {
    const api = createFakeApi({ 'browse:image': { error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' } }, 'connections:list': connections });
    renderScreen(<ImageScreen {...props} />, api);
    expect(await screen.findByText('No such image')).toBeTruthy();
  });

  it('shows the header: breadcrumbs, digest, sizes, other tags, origin and pull commands', async () => {
    const api = createFakeApi({ 'browse:image': multiArchImage(), 'connections:list': connections });
    renderScreen(<ImageScreen {...props} />, api);
    const digest = await screen.findByTestId('image-digest');
    expect(digest.textContent).toContain('sha256:dddddddddddd');
    expect(screen.getByLabelText('Copy digest')).toBeTruthy();
    expect(screen.getByTestId('image-total-size').textContent).toContain('6.00 MB over 2 platforms');
    expect(screen.getByTestId('image-shared-bytes').textContent).toContain('1.00 MB');
    expect(within(screen.getByTestId('image-other-tags')).getByText('latest').closest('a')?.getAttribute('href')).toBe('#/browse/local/team%2Fapp/latest');
    expect(screen.getByTestId('image-origin').textContent).toContain('Pushed');
    expect(screen.getByTestId('pull-by-tag').textContent).toContain('docker pull 127.0.0.1:5000/team/app:1.0');
    expect(screen.getByTestId('pull-by-digest').textContent).toContain(`docker pull 127.0.0.1:5000/team/app@sha256:${'d'.repeat(64)}`);
    expect(screen.getByLabelText('Copy pull command by tag')).toBeTruthy();
    const crumbs = screen.getByLabelText('Breadcrumbs');
    expect(await within(crumbs).findByText('This computer')).toBeTruthy();
    expect(within(crumbs).getByText('team/app').getAttribute('href')).toBe('#/browse/local/team%2Fapp');
  });

  it('pulls by digest only when a digest reference has no tag', async () => {
    const image = multiArchImage({ reference: `sha256:${'d'.repeat(64)}`, tags: [] });
    const api = createFakeApi({ 'browse:image': image, 'connections:list': connections });
    renderScreen(<ImageScreen {...props} reference={image.reference} />, api);
    expect(await screen.findByTestId('pull-by-digest')).toBeTruthy();
    expect(screen.queryByTestId('pull-by-tag')).toBeNull();
  });

  it('has one tab per platform with sizes, config, layers and history', async () => {
    const api = createFakeApi({ 'browse:image': multiArchImage(), 'connections:list': connections });
    renderScreen(<ImageScreen {...props} />, api);
    const tabs = await screen.findByRole('tablist', { name: 'Platforms' });
    const tabList = within(tabs).getAllByRole('tab');
    expect(tabList.map((t) => t.textContent)).toEqual(['linux/amd64 3.00 MB', 'linux/arm64/v8 4.00 MB']);

    expect(screen.getByText('ARCH_NAME=linux/amd64', { exact: false })).toBeTruthy();
    const sizes = screen.getByTestId('platform-sizes');
    expect(sizes.textContent).toContain('2.00 MB');
    const layers = screen.getByRole('table', { name: 'Layers' });
    const rows = within(layers).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]!.textContent).toContain('sha256:111111111111');
    expect(within(rows[1]!).getByText('shared')).toBeTruthy();
    expect(within(rows[2]!).queryByText('shared')).toBeNull();
    const history = screen.getByRole('table', { name: 'History' });
    expect(within(history).getByText('empty layer')).toBeTruthy();
    expect(within(history).getByText('/bin/sh -c #(nop) ADD file:linux/amd64 in /')).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Labels' }).textContent).toContain('org.opencontainers.image.source');
    expect(screen.getByTestId('config-table').textContent).toContain('["/bin/app"]');

    fireEvent.click(tabList[1]!);
    expect(await screen.findByText('ARCH_NAME=linux/arm64/v8', { exact: false })).toBeTruthy();
    expect(screen.queryByText('ARCH_NAME=linux/amd64', { exact: false })).toBeNull();
    expect(screen.getByTestId('platform-sizes').textContent).toContain('3.00 MB');
  });

  it('lists referrers, says none, or says the registry has no referrers API', async () => {
    const api = createFakeApi({ 'browse:image': multiArchImage(), 'connections:list': connections });
    const { unmount } = renderScreen(<ImageScreen {...props} />, api);
    const section = await screen.findByRole('region', { name: 'Referrers' });
    expect(within(section).getByText('application/vnd.dev.sigstore.bundle.v0.3+json')).toBeTruthy();
    expect(section.textContent).toContain('org.opencontainers.image.created=2026-01-03T00:00:00Z');
    unmount();

    const none = createFakeApi({ 'browse:image': multiArchImage({ referrers: [] }), 'connections:list': connections });
    const second = renderScreen(<ImageScreen {...props} />, none);
    expect(await screen.findByTestId('referrers-none')).toBeTruthy();
    second.unmount();

    const unsupported = createFakeApi({ 'browse:image': multiArchImage({ referrers: [], referrersSupported: false }), 'connections:list': connections });
    renderScreen(<ImageScreen {...props} />, unsupported);
    expect((await screen.findByTestId('referrers-unsupported')).textContent).toContain('no referrers API');
  });
});

describe('pull commands', () => {
  const pick = async (client: string) => {
    fireEvent.click(within(await screen.findByTestId('pull-client')).getByText(client));
  };

  it('docker, podman and skopeo, with --tls-verify=false where Berth serves plain HTTP', async () => {
    const api = createFakeApi({ 'browse:image': multiArchImage(), 'connections:list': connections });
    renderScreen(<ImageScreen {...props} />, api);
    const byTag = await screen.findByTestId('pull-by-tag');
    const byDigest = screen.getByTestId('pull-by-digest');
    const digest = `sha256:${'d'.repeat(64)}`;
    expect(byTag.textContent).toContain('docker pull 127.0.0.1:5000/team/app:1.0');
    await pick('podman');
    await waitFor(() => expect(byTag.textContent).toContain('podman pull --tls-verify=false 127.0.0.1:5000/team/app:1.0'));
    expect(byDigest.textContent).toContain(`podman pull --tls-verify=false 127.0.0.1:5000/team/app@${digest}`);
    await pick('skopeo');
    await waitFor(() => expect(byTag.textContent).toContain('skopeo copy --src-tls-verify=false docker://127.0.0.1:5000/team/app:1.0 oci:app:1.0'));
    expect(byDigest.textContent).toContain(`skopeo copy --src-tls-verify=false docker://127.0.0.1:5000/team/app@${digest} oci:app`);
    // Loopback over plain HTTP: docker allows it without a word.
    await pick('docker');
    await waitFor(() => expect(byTag.textContent).toContain('docker pull'));
    expect(screen.queryByTestId('pull-docker-insecure')).toBeNull();
  });

  it('no flag over HTTPS; over plain HTTP to another host docker needs insecure-registries, and says so', async () => {
    const remote = multiArchImage({ connection: 'team', pullByDigest: `registry.example.com/team/app@sha256:${'d'.repeat(64)}`, origin: null });
    const api = createFakeApi({ 'browse:image': remote, 'connections:list': connections });
    const first = renderScreen(<ImageScreen {...props} connection="team" />, api);
    await pick('podman');
    await waitFor(() => expect(screen.getByTestId('pull-by-tag').textContent).toContain('podman pull registry.example.com/team/app:1.0'));
    first.unmount();

    const plain = connections.map((c) => (c.id === 'team' ? { ...c, url: 'http://registry.lan:5000' } : c));
    const lan = multiArchImage({ connection: 'team', pullByDigest: `registry.lan:5000/team/app@sha256:${'d'.repeat(64)}`, origin: null });
    renderScreen(<ImageScreen {...props} connection="team" />, createFakeApi({ 'browse:image': lan, 'connections:list': plain }));
    expect((await screen.findByTestId('pull-docker-insecure')).textContent).toContain('registry.lan:5000');
    await pick('skopeo');
    await waitFor(() => expect(screen.getByTestId('pull-by-tag').textContent).toContain('skopeo copy --src-tls-verify=false docker://registry.lan:5000/team/app:1.0'));
  });
});

describe('the referrer viewer', () => {
  it('opens a referrer: summary of its format, its manifest and content as text (markup stays text), and what is not shown', async () => {
    const api = createFakeApi({ 'browse:image': multiArchImage(), 'connections:list': connections, 'browse:referrer': spdxReferrer() });
    renderScreen(<ImageScreen {...props} />, api);
    const section = await screen.findByRole('region', { name: 'Referrers' });
    fireEvent.click(within(section).getByRole('button', { name: `View referrer sha256:${'e'.repeat(12)}` }));
    const dialog = await screen.findByRole('dialog', { name: /^Referrer: / });
    expect(api.calls.find((c) => c.channel === 'browse:referrer')!.args).toEqual({ connection: 'local', repository: 'team/app', digest: `sha256:${'e'.repeat(64)}` });
    const summary = await within(dialog).findByTestId('referrer-summary-spdx');
    expect(summary.textContent).toContain('SPDX-2.3');
    expect(summary.textContent).toContain('team/app');
    expect(summary.textContent).toContain('3 packages');
    expect(summary.textContent).toContain('Tool: syft-1.0.0');
    expect(within(dialog).getByTestId('referrer-manifest').textContent).toContain('"artifactType": "application/spdx+json"');
    const content = within(dialog).getAllByTestId('referrer-blob');
    expect(content[0]!.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(dialog.querySelector('img')).toBeNull();
    expect(content[1]!.textContent).toContain('too large to show here (over 1.05 MB)');
  });

  it('says why a referrer cannot be opened', async () => {
    const api = createFakeApi({ 'browse:image': multiArchImage(), 'connections:list': connections, 'browse:referrer': { error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' } } });
    renderScreen(<ImageScreen {...props} />, api);
    const section = await screen.findByRole('region', { name: 'Referrers' });
    fireEvent.click(within(section).getByRole('button', { name: /^View referrer/ }));
    const dialog = await screen.findByRole('dialog');
    expect((await within(dialog).findByRole('alert')).textContent).toContain('No such image or tag');
  });
});
