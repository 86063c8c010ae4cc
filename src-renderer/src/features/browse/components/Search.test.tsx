import { configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiError, ConnectionInfo, SearchArgs, SearchResult } from '../../../../../src-server/contract';
import { createFakeApi, type FakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { RepositoriesScreen } from './RepositoriesScreen';

// A debounced search and an address change take more than a second on a busy machine.
configure({ asyncUtilTimeout: 5000 });

const local: ConnectionInfo = { id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };
const team: ConnectionInfo = { ...local, id: 'c1', name: 'Team registry', kind: 'registry', url: 'https://reg.example.com', username: 'alice', hasSecret: true };
const IDX = `sha256:${'b'.repeat(64)}`;
const ARM = `sha256:${'a'.repeat(64)}`;
const SOLO = `sha256:${'c'.repeat(64)}`;

const found: SearchResult = {
  items: [
    { repository: 'team/app', tag: '1.0', digest: IDX },
    { repository: 'tools/cli', tag: '1.0.2', digest: SOLO },
  ],
  page: 1,
  total: 2,
  searched: { repositories: 2, of: 2 },
  complete: true,
  limits: [],
};

function setup(hash: string, answer: SearchResult | ((a: SearchArgs) => SearchResult) | { error: ApiError } = found): FakeApi {
  window.location.hash = hash;
  const api = createFakeApi({
    'connections:list': [local, team],
    'registry:status': { running: true, url: 'http://127.0.0.1:5000' },
    'browse:repositories': { items: [], next: null, source: 'index', total: 0, page: 1 },
    'browse:search': answer,
  });
  renderScreen(<RepositoriesScreen connection={hash.includes('/c1') ? 'c1' : 'local'} />, api);
  return api;
}
const searches = (api: FakeApi) => api.calls.filter((c) => c.channel === 'browse:search').map((c) => c.args as SearchArgs);

beforeEach(() => {
  window.location.hash = '';
});

describe('searching tags and digests across repositories', () => {
  it('opens a tag search from the address and shows hits as repository:tag linking to the image', async () => {
    const api = setup('#/browse/local?q=1.0&find=tag');
    const rows = await screen.findAllByTestId('search-hit');
    expect(searches(api)[0]).toEqual({ connection: 'local', kind: 'tag', query: '1.0', n: 50, page: 1 });
    expect(api.calls.some((c) => c.channel === 'browse:repositories')).toBe(false);
    const link = within(rows[0]!).getByTestId('search-hit-link');
    expect(link.textContent).toBe('team/app:1.0');
    expect(link.getAttribute('href')).toBe('#/browse/local/team%2Fapp/1.0');
    expect(within(rows[0]!).getByTestId('search-hit-digest').getAttribute('href')).toBe(`#/browse/local/team%2Fapp/${encodeURIComponent(IDX)}`);
    expect(screen.getByTestId('search-summary').textContent).toBe('2 hits in 2 repositories searched');
    expect(screen.queryByTestId('search-limits')).toBeNull();
  });

  it('switching the mode to digests keeps the text, writes it to the address, and waits for 4 hex digits', async () => {
    const api = setup('#/browse/local');
    fireEvent.click(await screen.findByRole('radio', { name: 'Digests' }));
    await waitFor(() => expect(window.location.hash).toBe('#/browse/local?find=digest'));
    // The address changes first; the screen follows on its hashchange.
    fireEvent.change(await screen.findByLabelText('Search digests'), { target: { value: 'sha256:ab' } });
    await waitFor(() => expect(window.location.hash).toBe('#/browse/local?q=sha256%3Aab&find=digest'));
    expect((await screen.findByTestId('search-hint')).textContent).toBe('Type at least 4 hex digits of the digest.');
    expect(searches(api)).toEqual([]);
    fireEvent.change(screen.getByLabelText('Search digests'), { target: { value: 'sha256:abcd' } });
    await waitFor(() => expect(searches(api)).toEqual([{ connection: 'local', kind: 'digest', query: 'sha256:abcd', n: 50, page: 1 }]));
  });

  it('shows a platform of an index, and an untagged manifest linking by digest', async () => {
    setup('#/browse/local?q=aaaa&find=digest', {
      ...found,
      items: [
        { repository: 'team/app', tag: '1.0', digest: ARM, index: { digest: IDX, platform: 'linux/arm64' } },
        { repository: 'team/app', tag: null, digest: SOLO },
      ],
    });
    const rows = await screen.findAllByTestId('search-hit');
    expect(rows[0]!.textContent).toContain('linux/arm64 of the index sha256:bbbbbbbbbbbb…');
    expect(within(rows[1]!).getByTestId('search-hit-link').textContent).toBe('team/app (untagged)');
    expect(within(rows[1]!).getByTestId('search-hit-link').getAttribute('href')).toBe(`#/browse/local/team%2Fapp/${encodeURIComponent(SOLO)}`);
  });

  it('says what a limited remote search left out, and narrows to repositories by name', async () => {
    const limited: SearchResult = {
      ...found,
      searched: { repositories: 100, of: 5000 },
      complete: false,
      limits: ['searched the first 100 repositories of 5,000 (by name): narrow the search with a repository filter'],
    };
    const api = setup('#/browse/c1?q=1.0&find=tag', limited);
    expect((await screen.findByTestId('search-summary')).textContent).toBe('2 hits in 100 of 5,000 repositories searched');
    expect(screen.getByTestId('search-limits').textContent).toContain('the results may be partial');
    expect(screen.getByTestId('search-limits').textContent).toContain('narrow the search with a repository filter');
    fireEvent.change(screen.getByLabelText('Only in repositories containing'), { target: { value: 'team/' } });
    await waitFor(() => expect(searches(api).at(-1)).toEqual({ connection: 'c1', kind: 'tag', query: '1.0', repositories: 'team/', n: 50, page: 1 }));
    expect(window.location.hash).toBe('#/browse/c1?q=1.0&find=tag&in=team%2F');
  });

  it('says when a remote cannot be searched at all, rather than "nothing found"', async () => {
    const closed: SearchResult = {
      items: [],
      page: 1,
      total: 0,
      searched: { repositories: 0, of: 0 },
      complete: false,
      limits: ["the registry does not list its repositories (authentication required): only the repositories added by name in the connection's settings were searched"],
    };
    setup('#/browse/c1?q=1.0&find=tag', closed);
    const limits = await screen.findByTestId('search-limits');
    expect(limits.textContent).toContain('This registry cannot be searched here');
    expect(limits.textContent).toContain('only the repositories added by name');
    expect(screen.queryByText('Nothing found')).toBeNull();
  });

  it('pages the hits through the address', async () => {
    const many = (a: SearchArgs): SearchResult => ({ ...found, page: a.page ?? 1, total: 120, items: [{ repository: `r-${a.page}`, tag: 'v1', digest: SOLO }] });
    const api = setup('#/browse/local?q=v&find=tag', many);
    await screen.findAllByTestId('search-hit');
    expect(screen.getByTestId('search-page').textContent).toBe('Page 1 of 3');
    fireEvent.click(screen.getByTestId('search-next'));
    await waitFor(() => expect(searches(api).at(-1)).toMatchObject({ page: 2 }));
    expect(window.location.hash).toBe('#/browse/local?q=v&page=2&find=tag');
  });

  it('shows a refused text in words, and a refusing remote as such', async () => {
    setup('#/browse/local?q=v1%25&find=tag', { error: { code: 'ARGS_INVALID', message: '"v1%" cannot begin a tag: a tag is up to 128 letters, digits, _, . and -' } });
    expect((await screen.findByRole('alert')).textContent).toContain('cannot begin a tag');
  });

  it('a remote that refuses the password says so, naming the connection', async () => {
    setup('#/browse/c1?q=v1&find=tag', { error: { code: 'AUTH_FAILED', message: 'https://reg.example.com refused the credentials' } });
    expect((await screen.findByTestId('browse-refused')).textContent).toContain('Team registry refused the user name or password');
  });
});
