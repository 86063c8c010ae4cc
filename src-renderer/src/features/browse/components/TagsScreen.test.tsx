import { cleanup as cleanupScreen, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConnectionInfo, TagsArgs, TagsPage, TagSummary } from '../../../../../src-server/contract';
import { createFakeApi, type FakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { TagsScreen } from './TagsScreen';

const local: ConnectionInfo = { id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };
const connections = [local, { ...local, id: 'c1', name: 'Old registry', kind: 'registry' as const, url: 'https://old.example.com' }];
const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

function tag(name: string, digest: string, more: Partial<TagSummary> = {}): TagSummary {
  return { name, digest, mediaType: 'application/vnd.oci.image.index.v1+json', platforms: ['linux/amd64', 'linux/arm64'], size: 3_000_000, created: '2026-01-02T00:00:00Z', origin: { source: 'pushed', upstream: null, at: null }, ...more };
}
const tags: TagSummary[] = [tag('1.0', D1), tag('latest', D1), tag('stable', D1), tag('2.0', D2, { origin: { source: 'cached', upstream: 'https://registry-1.docker.io', at: null } })];
const page = (items: TagSummary[], next: string | null = null, total: number | null = items.length): TagsPage => ({ items, next, total, listedAt: '2026-01-03T00:00:00Z' });
const size = { repository: 'team/app', tags: 4, images: 2, bytes: 6_000_000, failed: [] };

function setup(connection = 'local', answers: Parameters<typeof createFakeApi>[0] = {}) {
  const api = createFakeApi({
    'connections:list': connections,
    'registry:status': { running: true, url: 'http://127.0.0.1:5000' },
    'browse:tags': page(tags),
    'browse:repository-size': size,
    ...answers,
  });
  renderScreen(<TagsScreen connection={connection} repository="team/app" />, api);
  return api;
}
const argsOf = (api: FakeApi, channel: string) => api.calls.filter((c) => c.channel === channel).map((c) => c.args);

describe('TagsScreen', () => {
  it('shows a loader while the tags are read', async () => {
    const api = setup('local', { 'browse:tags': { pending: true } });
    expect(await screen.findByText('Reading the tags…')).toBeTruthy();
    expect(argsOf(api, 'browse:tags')[0]).toEqual({ connection: 'local', repository: 'team/app', n: 100 });
  });

  it('shows breadcrumbs, the size, and each tag with digest, platforms, size, created and origin', async () => {
    setup();
    const rows = await screen.findAllByTestId('tag-row');
    expect(rows).toHaveLength(4);
    const crumbs = screen.getByLabelText('Breadcrumbs');
    expect((await within(crumbs).findByText('This computer')).getAttribute('href')).toBe('#/browse/local');
    expect((await screen.findByTestId('repository-size')).textContent).toBe('6.00 MB · 4 tags · 2 images');
    expect(screen.getByTestId('tags-total').textContent).toBe('4 tags');
    const first = rows[0]!;
    expect(within(first).getByTestId('tag-link').getAttribute('href')).toBe('#/browse/local/team%2Fapp/1.0');
    expect(first.textContent).toContain('sha256:aaaaaaaaaaaa');
    expect(within(first).getByLabelText('Copy digest of 1.0')).toBeTruthy();
    expect(within(first).getByText('linux/amd64')).toBeTruthy();
    expect(within(first).getByText('linux/arm64')).toBeTruthy();
    expect(first.textContent).toContain('3.00 MB');
    expect(first.textContent).toContain('pushed');
    expect(rows[3]!.textContent).toContain('cached from https://registry-1.docker.io');
  });

  it('says what the repository stores in all when untagged images hold more than its tags (as its list does)', async () => {
    setup('local', { 'browse:tags': page([]), 'browse:repository-size': { repository: 'team/app', tags: 0, images: 0, bytes: 0, failed: [], stored: 5_200_000 } });
    await waitFor(() => expect(screen.getByTestId('repository-size').textContent).toBe('0 B · 0 tags · 0 images · 5.20 MB stored in all (untagged images and referrers included)'));
  });

  it('shows a row error and skips the origin column for remotes', async () => {
    setup('c1', { 'browse:tags': page([tag('ok', D1, { origin: null }), { name: 'broken', digest: null, mediaType: null, platforms: [], size: null, created: null, origin: null, error: 'the manifest could not be fetched' }]) });
    expect((await screen.findByTestId('tag-error')).textContent).toBe('the manifest could not be fetched');
    expect(screen.queryByText('Origin')).toBeNull();
  });

  it('says when there are no tags (empty) and when the repository is gone', async () => {
    setup('local', { 'browse:tags': page([]) });
    expect(await screen.findByText('No tags')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('tags-empty').textContent).toContain('docker push 127.0.0.1:5000/team/app:TAG'));
  });

  it('shows errors in words', async () => {
    setup('c1', { 'browse:tags': { error: { code: 'UNREACHABLE', message: 'connect ECONNREFUSED 10.0.0.1:443' } } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Cannot reach the registry');
    expect(alert.textContent).toContain('ECONNREFUSED');
  });

  it('sends the search as query and pages with last', async () => {
    const api = setup('local', {
      'browse:tags': (a: TagsArgs) => (a.last ? page([tag('9.0', D2)], null, 5) : a.query ? page([tag('2.0', D2)], null, 1) : page(tags, 'stable', 5)),
    });
    await screen.findAllByTestId('tag-row');
    fireEvent.click(screen.getByTestId('tags-next'));
    await waitFor(() => expect(screen.getAllByTestId('tag-link').map((a) => a.textContent)).toEqual(['9.0']));
    expect(argsOf(api, 'browse:tags').at(-1)).toEqual({ connection: 'local', repository: 'team/app', n: 100, last: 'stable' });
    fireEvent.change(screen.getByLabelText('Search tags'), { target: { value: '2.' } });
    await waitFor(() => expect(screen.getAllByTestId('tag-link').map((a) => a.textContent)).toEqual(['2.0']));
    expect(argsOf(api, 'browse:tags').at(-1)).toEqual({ connection: 'local', repository: 'team/app', n: 100, query: '2.' });
    expect(screen.getByTestId('tags-total').textContent).toBe('1 tag match “2.”');
  });

  it('refreshes: browse:refresh then the tags again', async () => {
    const api = setup();
    await screen.findAllByTestId('tag-row');
    const before = argsOf(api, 'browse:tags').length;
    api.answer('browse:refresh', undefined as never);
    fireEvent.click(screen.getByTestId('tags-refresh'));
    await waitFor(() => expect(argsOf(api, 'browse:tags').length).toBeGreaterThan(before));
    expect(argsOf(api, 'browse:refresh')).toEqual([{ connection: 'local', repository: 'team/app' }]);
  });
});

describe('deleting the repository', () => {
  it('needs the name typed, sends repository:delete and goes to the repositories', async () => {
    const api = setup('c1', { 'repository:delete': { tags: 4, manifests: 2 } });
    window.location.hash = '#/browse/c1/team%2Fapp';
    fireEvent.click(await screen.findByTestId('repository-delete-open'));
    const confirm = (await screen.findByTestId('repository-delete-confirm')) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('repository-delete-input'), { target: { value: 'team/app' } });
    fireEvent.click(confirm);
    await waitFor(() => expect(argsOf(api, 'repository:delete')).toEqual([{ name: 'team/app', connection: 'c1' }]));
    await waitFor(() => expect(window.location.hash).toBe('#/browse/c1'));
  });

  it('shows why it failed', async () => {
    setup('c1', { 'repository:delete': { error: { code: 'UNSUPPORTED', message: 'the registry refuses deletes' } } });
    fireEvent.click(await screen.findByTestId('repository-delete-open'));
    fireEvent.change(await screen.findByTestId('repository-delete-input'), { target: { value: 'team/app' } });
    fireEvent.click(screen.getByTestId('repository-delete-confirm'));
    expect((await screen.findByText('The repository could not be deleted')).closest('[role="alert"]')?.textContent).toContain('refuses deletes');
  });

  it('exports the selected tags of the local registry (the dialog names them), and offers no export on a remote', async () => {
    setup();
    await screen.findAllByTestId('tag-row');
    const exportButton = screen.getByTestId('tags-export');
    expect(exportButton.hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByLabelText('Select 1.0'));
    fireEvent.click(screen.getByLabelText('Select 2.0'));
    fireEvent.click(exportButton);
    expect((await screen.findByTestId('export-images')).textContent).toBe('team/app:1.0, team/app:2.0');
    cleanupScreen();
    setup('c1');
    await screen.findAllByTestId('tag-row');
    expect(screen.queryByTestId('tags-export')).toBeNull();
  });
});
