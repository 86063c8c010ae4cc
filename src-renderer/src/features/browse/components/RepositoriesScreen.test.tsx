import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConnectionInfo, RepositoriesArgs, RepositoriesPage } from '../../../../../src-server/contract';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { RepositoriesScreen } from './RepositoriesScreen';

const base: ConnectionInfo = { id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };
const connections: ConnectionInfo[] = [base, { ...base, id: 'hub', name: 'Docker Hub', kind: 'dockerhub', url: 'https://registry-1.docker.io' }, { ...base, id: 'c1', name: 'Team registry', kind: 'registry', url: 'https://reg.example.com' }];
const status = { running: true, url: 'http://127.0.0.1:5000' };

/** 10,000 repositories served 100 at a time by name, like the local index. */
const names = Array.from({ length: 10_000 }, (_, i) => `repo-${String(i).padStart(5, '0')}`);
function catalog(args: RepositoriesArgs): RepositoriesPage {
  const matching = args.query ? names.filter((n) => n.includes(args.query!)) : names;
  const start = args.last ? matching.findIndex((n) => n > args.last!) : 0;
  const rest = start < 0 ? [] : matching.slice(start);
  const items = rest.slice(0, args.n ?? 100).map((name, i) => ({ name, tagCount: (i * 7) % 13, size: ((i * 37) % 101) * 1000 }));
  return { items, next: rest.length > items.length ? items[items.length - 1]!.name : null, source: 'index', total: matching.length };
}

function repoCalls(api: ReturnType<typeof createFakeApi>) {
  return api.calls.filter((c) => c.channel === 'browse:repositories').map((c) => c.args as RepositoriesArgs);
}

describe('RepositoriesScreen', () => {
  it('shows a loader while the list is read', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'browse:repositories': { pending: true } });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    expect(await screen.findByText('Listing repositories…')).toBeTruthy();
    expect(repoCalls(api)[0]).toEqual({ connection: 'local', n: 100 });
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

  it('pages with the server cursor: Next sends last, Previous goes back', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    await screen.findAllByTestId('repository-row');
    expect((screen.getByTestId('repositories-previous') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('repositories-next'));
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-00100'));
    expect(repoCalls(api).at(-1)).toEqual({ connection: 'local', n: 100, last: 'repo-00099' });
    expect(screen.getByTestId('repositories-page').textContent).toBe('Page 2');
    fireEvent.click(screen.getByTestId('repositories-next'));
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-00200'));
    expect(repoCalls(api).at(-1)).toEqual({ connection: 'local', n: 100, last: 'repo-00199' });
    fireEvent.click(screen.getByTestId('repositories-previous'));
    await waitFor(() => expect(screen.getAllByTestId('repository-link')[0]!.textContent).toBe('repo-00100'));
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
    expect(repoCalls(api).at(-1)).toEqual({ connection: 'local', n: 100, query: '0999' });
    expect(repoCalls(api).some((a) => a.query === '0999' && a.last !== undefined)).toBe(false);
    expect(screen.getByTestId('repositories-total').textContent).toBe('11 repositories match “0999”');
  });

  it('sorts the page by tags and size', async () => {
    const page: RepositoriesPage = {
      items: [
        { name: 'a', tagCount: 2, size: 300 },
        { name: 'b', tagCount: 9, size: null },
        { name: 'c', tagCount: 5, size: 100 },
      ],
      next: null,
      source: 'index',
      total: 3,
    };
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': page });
    renderScreen(<RepositoriesScreen connection="local" />, api);
    await screen.findAllByTestId('repository-row');
    const order = () => screen.getAllByTestId('repository-link').map((a) => a.textContent);
    expect(order()).toEqual(['a', 'b', 'c']);
    fireEvent.click(screen.getByTestId('sort-tags'));
    expect(order()).toEqual(['a', 'c', 'b']);
    fireEvent.click(screen.getByTestId('sort-tags'));
    expect(order()).toEqual(['b', 'c', 'a']);
    fireEvent.click(screen.getByTestId('sort-size'));
    expect(order()).toEqual(['c', 'a', 'b']);
    expect(screen.getAllByTestId('repository-row')[2]!.textContent).toContain('—');
    fireEvent.click(screen.getByTestId('sort-name'));
    fireEvent.click(screen.getByTestId('sort-name'));
    expect(order()).toEqual(['c', 'b', 'a']);
  });

  it('refreshes with refresh: true', async () => {
    const api = createFakeApi({ 'connections:list': connections, 'registry:status': status, 'browse:repositories': catalog });
    renderScreen(<RepositoriesScreen connection="c1" />, api);
    await screen.findAllByTestId('repository-row');
    fireEvent.click(screen.getByTestId('repositories-refresh'));
    await waitFor(() => expect(repoCalls(api).at(-1)).toEqual({ connection: 'c1', n: 100, refresh: true }));
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
