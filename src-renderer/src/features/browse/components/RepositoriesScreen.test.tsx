import { act, configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionInfo, RepositoriesArgs, RepositoriesPage } from '../../../../../src-server/contract';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { RepositoriesScreen } from './RepositoriesScreen';

const base: ConnectionInfo = { id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };
const connections: ConnectionInfo[] = [base, { ...base, id: 'hub', name: 'Docker Hub', kind: 'dockerhub', url: 'https://registry-1.docker.io' }, { ...base, id: 'c1', name: 'Team registry', kind: 'registry', url: 'https://reg.example.com' }];
const status = { running: true, url: 'http://127.0.0.1:5000' };

/** 10,000 repositories with tag counts and sizes, sorted and paged by number as the server does. */
const all = Array.from({ length: 10_000 }, (_, i) => ({ name: `repo-${String(i).padStart(5, '0')}`, tagCount: (i * 7) % 13, size: ((i * 37) % 101) * 1000 }));
function catalog(args: RepositoriesArgs): RepositoriesPage {
  const matching = args.query ? all.filter((r) => r.name.includes(args.query!)) : all;
  const key = args.sort === 'tags' ? 'tagCount' : args.sort === 'size' ? 'size' : null;
  const sign = args.dir === 'desc' ? -1 : 1;
  const sorted = [...matching].sort((a, b) => (key ? sign * (a[key] - b[key]) || (a.name < b.name ? -1 : 1) : sign * (a.name < b.name ? -1 : 1)));
  const n = args.n ?? 100;
  const page = args.page ?? 1;
  return { items: sorted.slice((page - 1) * n, page * n), next: null, source: 'index', total: matching.length, page };
}

// A debounced search, an address change and a page of 100 rows take more than a second on a busy machine.
configure({ asyncUtilTimeout: 5000 });

beforeEach(() => {
  window.location.hash = '';
});

function repoCalls(api: ReturnType<typeof createFakeApi>) {
  return api.calls.filter((c) => c.channel === 'browse:repositories').map((c) => c.args as RepositoriesArgs);
}

describe('RepositoriesScreen', () => {
  it('shows a loader while the list is read', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'browse:repositories': { pending: true } });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    expect(await screen.findByText('Listing repositories…')).toBeTruthy();
    expect(repoCalls(api)[0]).toEqual({ connection: 'local', n: 100, sort: 'name', dir: 'asc', page: 1 });
  });

  it('shows the connection, the total, and one page of 100 rows linking to the tags', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    expect((await screen.findByTestId('repositories-total')).textContent).toBe('10,000 repositories');
    expect((await screen.findByTestId('connection-name')).textContent).toBe('This computer');
    expect(screen.getByTestId('connection-kind').textContent).toBe('This computer');
    const rows = screen.getAllByTestId('repository-row');
    expect(rows).toHaveLength(100);
    const link = within(rows[0]!).getByTestId('repository-link');
    expect(link.textContent).toBe('repo-00000');
    expect(link.getAttribute('href')).toBe('#/browse/local/repo-00000');
    expect(rows[1]!.textContent).toContain('7');
    expect(rows[1]!.textContent).toContain('37.0 KB');
  });

  it('pages by number: Next and Previous ask for the page and put it in the address', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    await screen.findAllByTestId('repository-row');
    expect(screen.getByTestId('repositories-page').textContent).toBe('Page 1 of 100');
    expect((screen.getByTestId('repositories-previous') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('repositories-next'));
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-00100'));
    expect(repoCalls(api).at(-1)).toEqual({ connection: 'local', n: 100, sort: 'name', dir: 'asc', page: 2 });
    expect(window.location.hash).toBe('#/browse/local?page=2');
    expect(screen.getByTestId('repositories-page').textContent).toBe('Page 2 of 100');
    fireEvent.click(screen.getByTestId('repositories-next'));
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-00200'));
    fireEvent.click(screen.getByTestId('repositories-previous'));
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-00100'));
    expect(window.location.hash).toBe('#/browse/local?page=2');
  });

  it('keeps the previous page visible while the next loads', async () => {
    let release: () => void = () => {};
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    await screen.findAllByTestId('repository-row');
    api.answer('browse:repositories', (args) => new Promise((resolve) => (release = () => resolve(catalog(args)))));
    fireEvent.click(screen.getByTestId('repositories-next'));
    await waitFor(() => expect(screen.getByTestId('repositories-table').getAttribute('aria-busy')).toBe('true'));
    expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-00000');
    release();
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-00100'));
  });

  it('sends the search as query (debounced) and starts again at the first page', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    await screen.findAllByTestId('repository-row');
    fireEvent.click(screen.getByTestId('repositories-next'));
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-00100'));
    fireEvent.change(screen.getByLabelText('Search repositories'), { target: { value: '0999' } });
    await waitFor(() => expect(screen.getAllByTestId('repository-row')).toHaveLength(11));
    expect(repoCalls(api).at(-1)).toEqual({ connection: 'local', n: 100, query: '0999', sort: 'name', dir: 'asc', page: 1 });
    expect(repoCalls(api).some((a) => a.query === '0999' && a.page !== 1)).toBe(false);
    expect(window.location.hash).toBe('#/browse/local?q=0999');
    expect(screen.getByTestId('repositories-total').textContent).toBe('11 repositories match “0999”');
  });

  it('sorts the whole list on the server: a header asks for it, largest first for tags and size, and goes back to page 1', async () => {
    window.location.hash = '#/browse/local?page=3';
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-00200'));
    fireEvent.click(screen.getByTestId('sort-size'));
    await waitFor(() => expect(repoCalls(api).at(-1)).toEqual({ connection: 'local', n: 100, sort: 'size', dir: 'desc', page: 1 }));
    expect(window.location.hash).toBe('#/browse/local?sort=size&dir=desc');
    // The largest of all 10,000, not of the page that was shown.
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe(catalog({ connection: 'local', sort: 'size', dir: 'desc' }).items[0]!.name));
    expect(screen.getAllByTestId('repository-row')[0]!.textContent).toContain('100.0 KB');
    expect(screen.getByRole('columnheader', { name: /size/i }).getAttribute('aria-sort')).toBe('descending');
    fireEvent.click(screen.getByTestId('sort-size'));
    await waitFor(() => expect(window.location.hash).toBe('#/browse/local?sort=size'));
    fireEvent.click(screen.getByTestId('sort-tags'));
    await waitFor(() => expect(window.location.hash).toBe('#/browse/local?sort=tags&dir=desc'));
    fireEvent.click(screen.getByTestId('sort-name'));
    await waitFor(() => expect(window.location.hash).toBe('#/browse/local'));
  });

  it('opens the view an address names: search, order and page', async () => {
    window.location.hash = '#/browse/local?q=repo-0&sort=tags&dir=desc&page=3';
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    await screen.findAllByTestId('repository-row');
    expect(repoCalls(api)[0]).toEqual({ connection: 'local', n: 100, query: 'repo-0', sort: 'tags', dir: 'desc', page: 3 });
    expect((screen.getByLabelText('Search repositories') as HTMLInputElement).value).toBe('repo-0');
    expect(screen.getByTestId('repositories-page').textContent).toBe('Page 3 of 100');
    expect(screen.getAllByTestId('repository-link').map((a) => a.textContent)).toEqual(catalog({ connection: 'local', query: 'repo-0', sort: 'tags', dir: 'desc', page: 3 }).items.map((r) => r.name));
  });

  it('follows the address when it changes from outside (Back, a link), search box included', async () => {
    window.location.hash = '#/browse/local?q=0999';
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    await waitFor(() => expect(screen.getAllByTestId('repository-row')).toHaveLength(11));
    act(() => {
      window.location.hash = '#/browse/local?sort=size&dir=desc&page=2';
    });
    await waitFor(() => expect(repoCalls(api).at(-1)).toEqual({ connection: 'local', n: 100, sort: 'size', dir: 'desc', page: 2 }));
    await waitFor(() => expect((screen.getByLabelText('Search repositories') as HTMLInputElement).value).toBe(''));
    await waitFor(() => expect(screen.getAllByTestId('repository-row')).toHaveLength(100));
    // The box emptied by the address does not write itself back over it.
    expect(window.location.hash).toBe('#/browse/local?sort=size&dir=desc&page=2');
  });

  it('ignores what does not fit in the address and shows the list', async () => {
    window.location.hash = `#/browse/local?sort=bytes&dir=sideways&page=-4&q=${'x'.repeat(400)}`;
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    await screen.findByText('No repository matches');
    expect(repoCalls(api)[0]).toEqual({ connection: 'local', n: 100, query: 'x'.repeat(256), sort: 'name', dir: 'asc', page: 1 });
  });

  it('says a page past the end does not exist, and offers the last one', async () => {
    window.location.hash = '#/browse/local?page=500';
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    const past = await screen.findByTestId('repositories-past-end');
    expect(past.textContent).toContain('There is no page 500');
    expect(past.textContent).toContain('100 pages');
    fireEvent.click(within(past).getByRole('button', { name: 'Go to page 100' }));
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-09900'));
  });

  it('refreshes with refresh: true', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="c1" />, api);
    await screen.findAllByTestId('repository-row');
    fireEvent.click(screen.getByTestId('repositories-refresh'));
    await waitFor(() => expect(repoCalls(api).at(-1)).toEqual({ connection: 'c1', n: 100, sort: 'name', dir: 'asc', page: 1, refresh: true }));
  });

  it('local empty state gives the push command with the local address', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': { items: [], next: null, source: 'index', total: 0 } });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    expect(await screen.findByText('Nothing pushed yet')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('repositories-empty').textContent).toContain('docker push 127.0.0.1:5000/image'));
  });

  it('remote empty state points to the connection settings', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'browse:repositories': { items: [], next: null, source: 'catalog', total: null } });
    renderScreen(<RepositoriesScreen connection="c1" />, api);
    expect(await screen.findByText('No repositories listed')).toBeTruthy();
    expect(screen.getByTestId('repositories-connections-link').getAttribute('href')).toBe('#/connections');
  });

  it('says where the names came from (saved names, Docker Hub namespaces) and shows unknown sizes as —', async () => {
    const api = createFakeApi({
      'connections:list': connections,
      'browse:repositories': { items: [{ name: 'library/nginx', tagCount: null, size: null }], next: null, source: 'namespace', total: null },
    });
    const { unmount } = renderScreen(<RepositoriesScreen connection="hub" />, api);
    expect((await screen.findByTestId('repositories-source')).textContent).toContain('Docker Hub has no catalog');
    expect(screen.getByTestId('repository-row').textContent).toBe('library/nginx——');
    expect(await screen.findByTestId('connection-kind')).toBeTruthy();
    expect(screen.getByTestId('connection-kind').textContent).toBe('Docker Hub');
    unmount();
    const saved = createFakeApi({ 'connections:list': connections, 'browse:repositories': { items: [{ name: 'team/app', tagCount: null, size: null }], next: null, source: 'saved', total: null } });
    renderScreen(<RepositoriesScreen connection="c1" />, saved);
    expect((await screen.findByTestId('repositories-source')).textContent).toContain('refused the catalog');
  });

  it('shows errors in words', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'browse:repositories': { error: { code: 'AUTH_FAILED', message: 'the registry answered 401 to the stored credentials' } } });
    renderScreen(<RepositoriesScreen connection="c1" />, api);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Team registry refused the user name or password');
    expect(alert.textContent).toContain('401');
  });
});
