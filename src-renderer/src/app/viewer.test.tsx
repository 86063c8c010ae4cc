import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RepositoryAccess, TagsPage } from '../../../src-server/contract';
import { AppWithApi } from '../App';
import { multiArchImage, connections } from '../features/browse/components/ImageScreen.fixtures';
import { createFakeApi, type FakeApi } from '../test/fake-api';

const local = connections.find((c) => c.id === 'local')!;
const D1 = `sha256:${'a'.repeat(64)}`;
const tags: TagsPage = {
  items: [{ name: '1.0', digest: D1, mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: ['linux/amd64'], size: 1000, created: null, origin: null }],
  next: null,
  total: 1,
  listedAt: '2026-01-03T00:00:00Z',
};
const status = { running: true, url: 'http://127.0.0.1:5000', tlsUrl: null, dataDir: '/srv/berth', startedAt: '2026-01-01T00:00:00Z' };

/** The GUI as `user` sees it after logging in over HTTP, at `hash`, with `rights` in team/app. */
function open(hash: string, admin: boolean, rights: Partial<RepositoryAccess> = {}, mayPush = admin): FakeApi {
  window.location.hash = hash;
  const api = createFakeApi({
    'connections:list': admin ? connections : [local],
    'registry:status': status,
    'browse:tags': tags,
    'browse:repository-size': { repository: 'team/app', tags: 1, images: 1, bytes: 1000, failed: [] },
    'browse:image': multiArchImage(),
    'access:repository': { pull: true, push: false, delete: false, admin: false, ...rights },
    'settings:get': { error: { code: 'DENIED', message: 'not for you' } },
    'users:initial-password': null,
    'usage:registry': { error: { code: 'DENIED', message: 'not for you' } },
  });
  render(<AppWithApi api={api} user={{ name: admin ? 'admin' : 'reader', admin, mayPush, logout: () => {} }} />);
  return api;
}
const called = (api: FakeApi, channel: string) => api.calls.some((c) => c.channel === channel);

afterEach(() => {
  window.location.hash = '';
});

describe('a user without admin@*', () => {
  it('sees only the local registry and browsing in the navigation, and is told an admin screen is not theirs', async () => {
    open('#/users', false);
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    await within(nav).findByText('This computer');
    for (const admin of ['Connections', 'Storage', 'Users', 'Certificates', 'Activity']) expect(within(nav).queryByText(admin)).toBeNull();
    expect(await screen.findByText('For administrators only')).toBeTruthy();
    expect(screen.getByTestId('viewer-name').textContent).toContain('reader');
  });

  it('sees the registry read-only: no start/stop, settings, data directory or storage, and commands in their own name', async () => {
    const api = open('#/registry', false);
    await screen.findByTestId('registry-status-card');
    expect(screen.queryByTestId('registry-start')).toBeNull();
    expect(screen.queryByTestId('registry-stop')).toBeNull();
    expect(screen.queryByTestId('registry-data-dir')).toBeNull();
    expect(screen.queryByTestId('registry-usage')).toBeNull();
    expect(await screen.findByText(/login .*-u reader/)).toBeTruthy();
    // Nothing the server refuses them is even asked for.
    for (const channel of ['settings:get', 'users:initial-password', 'usage:registry']) expect(called(api, channel), channel).toBe(false);
  });

  it('with pull only, browses tags without delete buttons (selecting only to export them), and an image without Copy', async () => {
    const api = open('#/browse/local/team%2Fapp', false);
    await screen.findAllByTestId('tag-row');
    await waitFor(() => expect(called(api, 'access:repository')).toBe(true));
    expect(screen.queryByTestId('tags-delete')).toBeNull();
    expect(screen.queryByTestId('repository-delete-open')).toBeNull();
    // Reading is all an export needs: the tags can be selected for it.
    expect(screen.getAllByTestId('tag-checkbox')).toHaveLength(1);
    expect(screen.getByTestId('tags-export')).toBeTruthy();
    window.location.hash = '#/browse/local/team%2Fapp/1.0';
    await screen.findByTestId('platform-tabs');
    expect(screen.queryByTestId('image-copy-open')).toBeNull();
  });

  it('with delete and push rights there, gets the delete buttons and Copy', async () => {
    const api = open('#/browse/local/team%2Fapp', false, { delete: true, push: true });
    expect(await screen.findByTestId('tags-delete')).toBeTruthy();
    expect(screen.getByTestId('repository-delete-open')).toBeTruthy();
    expect(screen.getAllByTestId('tag-checkbox')).toHaveLength(1);
    expect(api.calls.find((c) => c.channel === 'access:repository')?.args).toEqual({ repository: 'team/app' });
    window.location.hash = '#/browse/local/team%2Fapp/1.0';
    expect(await screen.findByTestId('image-copy-open')).toBeTruthy();
  });
});

describe('an administrator', () => {
  it('sees every screen and action without asking for repository rights', async () => {
    const api = open('#/browse/local/team%2Fapp', true);
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    for (const admin of ['Connections', 'Storage', 'Users', 'Certificates', 'Activity']) expect(within(nav).getByText(admin)).toBeTruthy();
    expect(await screen.findByTestId('tags-delete')).toBeTruthy();
    expect(screen.getAllByTestId('tag-checkbox')).toHaveLength(1);
    expect(called(api, 'access:repository')).toBe(false);
  });

  it('gets the window-wide drop target for archives only when it may push somewhere', async () => {
    const dragFiles = () => window.dispatchEvent(Object.assign(new Event('dragenter', { cancelable: true }), { dataTransfer: { types: ['Files'], files: [] } }));
    open('#/browse/local/team%2Fapp', false);
    await screen.findAllByTestId('tag-row');
    dragFiles();
    expect(screen.queryByTestId('archive-drop-overlay')).toBeNull();
    cleanup();
    open('#/browse/local/team%2Fapp', false, { push: true }, true);
    await screen.findAllByTestId('tag-row');
    dragFiles();
    expect(await screen.findByTestId('archive-drop-overlay')).toBeTruthy();
  });
});
