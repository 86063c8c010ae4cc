import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConnectionInfo, TagDeletePlan, TagRef, TagsArgs, TagsPage, TagSummary } from '../../../../../src-server/contract';
import { ApiCallError } from '../../../api/app-api';
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

describe('deleting tags', () => {
  async function select(names: string[]) {
    for (const n of names) fireEvent.click(await screen.findByLabelText(`Select ${n}`));
  }

  it('Berth deletes the tag alone: preview names the digest, confirm sends the exact args', async () => {
    const plan = (r: TagRef): TagDeletePlan => ({ tag: r.tag, digest: D1, siblings: ['latest', 'stable'].filter((s) => s !== r.tag), method: 'tag', message: 'Only this tag is removed.' });
    const api = setup('local', { 'tag:delete-preview': plan, 'tag:delete': (a) => ({ digest: a.digest, method: 'tag', removedTags: [a.tag] }) });
    await select(['1.0']);
    fireEvent.click(screen.getByTestId('tags-delete'));
    const modal = await screen.findByTestId('delete-tags-modal');
    expect(modal.textContent).toContain(D1);
    expect(within(modal).getByTestId('delete-plan-siblings').textContent).toContain('stay: latest, stable');
    expect(argsOf(api, 'tag:delete-preview')).toEqual([{ connection: 'local', repository: 'team/app', tag: '1.0' }]);
    fireEvent.click(within(modal).getByTestId('delete-tags-confirm'));
    await waitFor(() => expect(argsOf(api, 'tag:delete')).toEqual([{ connection: 'local', repository: 'team/app', tag: '1.0', digest: D1, deleteSiblings: false }]));
    await waitFor(() => expect(screen.queryByTestId('delete-tags-modal')).toBeNull());
    expect(await screen.findByText(/1 tag removed from team\/app: 1.0/)).toBeTruthy();
    await waitFor(() => expect(argsOf(api, 'browse:tags').length).toBeGreaterThan(1));
  });

  it('registry:2 (manifest) with siblings: warns, needs the user to confirm the siblings, sends deleteSiblings: true once', async () => {
    const api = setup('c1', {
      'tag:delete-preview': (r) =>
        r.tag === '2.0'
          ? { tag: '2.0', digest: D2, siblings: [], method: 'manifest', message: 'The manifest is deleted.' }
          : { tag: r.tag, digest: D1, siblings: ['1.0', 'latest', 'stable'].filter((s) => s !== r.tag), method: 'manifest', message: 'registry:2 deletes the manifest.', unresolved: ['broken'] },
      'tag:delete': (a) => ({ digest: a.digest, method: 'manifest', removedTags: a.digest === D1 ? ['1.0', 'latest', 'stable'] : ['2.0'] }),
    });
    await select(['1.0', 'latest', '2.0']);
    fireEvent.click(screen.getByTestId('tags-delete'));
    expect(screen.getByTestId('tags-delete').textContent).toBe('Delete 3 tags');
    const modal = await screen.findByTestId('delete-tags-modal');
    const plans = within(modal).getAllByTestId('delete-plan');
    expect(plans).toHaveLength(3);
    expect(plans[0]!.textContent).toContain(D1);
    expect(plans[2]!.textContent).toContain(D2);
    expect(within(plans[0]!).getByTestId('delete-plan-siblings').textContent).toBe('registry:2 deletes whole manifests: also removes tags latest, stable (not selected: stable).');
    expect(within(plans[0]!).getByTestId('delete-plan-unresolved').textContent).toContain('broken');
    const confirm = within(modal).getByTestId('delete-tags-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.click(within(modal).getByTestId('delete-tags-siblings-ack'));
    await waitFor(() => expect(confirm.disabled).toBe(false));
    fireEvent.click(confirm);
    await waitFor(() =>
      expect(argsOf(api, 'tag:delete')).toEqual([
        { connection: 'c1', repository: 'team/app', tag: '1.0', digest: D1, deleteSiblings: true },
        { connection: 'c1', repository: 'team/app', tag: '2.0', digest: D2, deleteSiblings: false },
      ]),
    );
    expect(await screen.findByText(/4 tags removed from team\/app/)).toBeTruthy();
  });

  it('tags that could not be checked need the same acknowledgement as siblings on a digest-only registry', async () => {
    const api = setup('c1', {
      'tag:delete-preview': (r) => ({ tag: r.tag, digest: D2, siblings: [], method: 'manifest', message: 'The manifest is deleted.', unresolved: ['broken'] }),
      'tag:delete': (a) => ({ digest: a.digest, method: 'manifest', removedTags: ['2.0'] }),
    });
    await select(['2.0']);
    fireEvent.click(screen.getByTestId('tags-delete'));
    const modal = await screen.findByTestId('delete-tags-modal');
    const confirm = within(modal).getByTestId('delete-tags-confirm') as HTMLButtonElement;
    // Without the acknowledgement the server would refuse with SIBLINGS_AFFECTED, for ever.
    expect(confirm.disabled).toBe(true);
    fireEvent.click(within(modal).getByTestId('delete-tags-siblings-ack'));
    await waitFor(() => expect(confirm.disabled).toBe(false));
    fireEvent.click(confirm);
    await waitFor(() => expect(argsOf(api, 'tag:delete')).toEqual([{ connection: 'c1', repository: 'team/app', tag: '2.0', digest: D2, deleteSiblings: true }]));
  });

  it('a registry that refuses deletes: says so and the confirm stays disabled', async () => {
    const api = setup('c1', { 'tag:delete-preview': (r) => ({ tag: r.tag, digest: D1, siblings: [], method: 'unsupported', message: 'The registry refuses deletes.' }) });
    await select(['1.0']);
    fireEvent.click(screen.getByTestId('tags-delete'));
    const modal = await screen.findByTestId('delete-tags-modal');
    expect(within(modal).getByTestId('delete-tags-unsupported').textContent).toContain('refuses deletes');
    expect((within(modal).getByTestId('delete-tags-confirm') as HTMLButtonElement).disabled).toBe(true);
    expect(argsOf(api, 'tag:delete')).toEqual([]);
  });

  it('reports per-tag failures in words (TAG_MOVED) and refreshes the list', async () => {
    const api = setup('local', {
      'tag:delete-preview': (r) => ({ tag: r.tag, digest: r.tag === '2.0' ? D2 : D1, siblings: [], method: 'tag', message: '' }),
      'tag:delete': (a) => {
        if (a.tag === '1.0') throw new ApiCallError('tag:delete', { code: 'TAG_MOVED', message: '1.0 now points at sha256:ccc' });
        return { digest: a.digest, method: 'tag', removedTags: [a.tag] };
      },
    });
    await select(['1.0', '2.0']);
    fireEvent.click(screen.getByTestId('tags-delete'));
    fireEvent.click(within(await screen.findByTestId('delete-tags-modal')).getByTestId('delete-tags-confirm'));
    const outcomes = await screen.findAllByTestId('delete-outcome');
    expect(outcomes[0]!.textContent).toContain('The tag changed meanwhile');
    expect(outcomes[0]!.textContent).toContain('nothing was deleted');
    expect(outcomes[1]!.textContent).toBe('2.0: deleted');
    await waitFor(() => expect(argsOf(api, 'browse:tags').length).toBeGreaterThan(1));
  });

  it('a preview that fails names the tag as not checked and leaves it out', async () => {
    setup('local', { 'tag:delete-preview': { error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' } } });
    await select(['1.0']);
    fireEvent.click(screen.getByTestId('tags-delete'));
    const plan = await screen.findByTestId('delete-plan');
    expect(plan.textContent).toContain('Could not be checked');
    expect(plan.textContent).toContain('No such image or tag');
    expect((screen.getByTestId('delete-tags-confirm') as HTMLButtonElement).disabled).toBe(true);
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
});
