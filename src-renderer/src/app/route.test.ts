import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from './route';

describe('a repository list in the address', () => {
  it('carries the search, the order and the page, and reads them back', () => {
    const route: Route = { screen: 'repositories', connection: 'local', q: 'team app&x=1', sort: 'size', dir: 'desc', page: 3 };
    expect(hrefOf(route)).toBe('#/browse/local?q=team+app%26x%3D1&sort=size&dir=desc&page=3');
    expect(parseRoute(hrefOf(route))).toEqual(route);
  });

  it('leaves the defaults out of the address', () => {
    expect(hrefOf({ screen: 'repositories', connection: 'c1', q: '', sort: 'name', dir: 'asc', page: 1 })).toBe('#/browse/c1');
    expect(hrefOf({ screen: 'repositories', connection: 'c1', sort: 'tags' })).toBe('#/browse/c1?sort=tags');
  });

  it('keeps a connection id with ? or / in it apart from the view', () => {
    const route: Route = { screen: 'repositories', connection: 'odd?id/x', page: 2 };
    expect(parseRoute(hrefOf(route))).toEqual(route);
  });

  it.each([
    ['#/browse/local?sort=bytes&dir=up', {}],
    ['#/browse/local?sort=size%3B%20DROP%20TABLE%20repos', {}],
    ['#/browse/local?page=0', {}],
    ['#/browse/local?page=-3', {}],
    ['#/browse/local?page=1e3', {}],
    ['#/browse/local?page=2.5', {}],
    ['#/browse/local?page=999999999', {}],
    ['#/browse/local?page=12&page=13', { page: 12 }],
    ['#/browse/local?q=%&dir=desc', { q: '%', dir: 'desc' }],
    ['#/browse/local?unknown=1&q=', {}],
  ])('ignores what does not fit in %s', (hash, view) => {
    expect(parseRoute(hash)).toEqual({ screen: 'repositories', connection: 'local', ...view });
  });

  it('cuts a search longer than the server takes', () => {
    const route = parseRoute(`#/browse/local?q=${'a'.repeat(300)}`);
    expect(route).toMatchObject({ screen: 'repositories', q: 'a'.repeat(256) });
  });

  it('opens the local registry for a malformed address instead of failing', () => {
    expect(parseRoute('#/browse/%E0%A4%A')).toEqual({ screen: 'registry' });
    expect(parseRoute('#/browse/local/%')).toEqual({ screen: 'registry' });
  });
});

describe('a search across repositories in the address', () => {
  it('carries the kind, the text, the repository filter and the page', () => {
    const route: Route = { screen: 'repositories', connection: 'local', q: 'sha256:3f2a', page: 2, find: 'digest', in: 'team/' };
    expect(hrefOf(route)).toBe('#/browse/local?q=sha256%3A3f2a&page=2&find=digest&in=team%2F');
    expect(parseRoute(hrefOf(route))).toEqual(route);
  });

  it('ignores an unknown kind, and a repository filter without a search', () => {
    expect(parseRoute('#/browse/local?find=regex&q=a.*&in=x')).toEqual({ screen: 'repositories', connection: 'local', q: 'a.*' });
    expect(hrefOf({ screen: 'repositories', connection: 'local', in: 'x' })).toBe('#/browse/local');
  });
});

describe('the storage screen in the address', () => {
  it('names its retention and trash tabs, and reads them back', () => {
    for (const tab of ['retention', 'trash'] as const) {
      const route: Route = { screen: 'storage', tab };
      expect(hrefOf(route)).toBe(`#/storage/${tab}`);
      expect(parseRoute(hrefOf(route))).toEqual(route);
    }
    expect(hrefOf({ screen: 'storage' })).toBe('#/storage');
    expect(parseRoute('#/storage')).toEqual({ screen: 'storage' });
  });

  it.each(['#/storage/unknown', '#/storage/%E0%A4%A', '#/storage/Trash'])('opens usage for %s', (hash) => {
    expect(parseRoute(hash)).toEqual(hash.includes('%E0') ? { screen: 'registry' } : { screen: 'storage' });
  });
});

describe('the Sync screen in the address', () => {
  it('has its own address, read back', () => {
    expect(hrefOf({ screen: 'sync' })).toBe('#/sync');
    expect(parseRoute('#/sync')).toEqual({ screen: 'sync' });
    expect(parseRoute('#/sync/whatever')).toEqual({ screen: 'sync' });
  });
});
