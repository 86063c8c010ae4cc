/**
 * Navigation as the URL's hash (`#/browse/local/team%2Fapp`), so that every screen has an address:
 * the browser's back button, reloads and the end-to-end tests all work, in Electron too. A list's
 * search, order and page are part of it (`#/browse/local?q=app&sort=size&dir=desc&page=3`); whatever
 * an address holds that does not fit is ignored, never an error.
 */
import { useEffect, useState } from 'react';
import type { RepositorySort, SearchKind, SortDirection } from '../../../src-server/contract';

/**
 * How a repository list is shown; absent fields are the defaults (no search, by name ascending,
 * page 1). With `find`, `q` searches tags or digests across the repositories instead (`in`: only
 * repositories whose name contains it) and `page` pages the hits.
 */
export interface ListView {
  q?: string;
  sort?: RepositorySort;
  dir?: SortDirection;
  page?: number;
  find?: SearchKind;
  in?: string;
}

/** Longest search an address carries (the server takes no more). */
export const MAX_ADDRESS_QUERY = 256;
/** Highest page number an address carries. */
export const MAX_ADDRESS_PAGE = 100_000;

/** The storage screen's tabs besides usage (its default): retention policies and the trash. */
export type StorageTab = 'retention' | 'trash';

/** Where the app is. */
export type Route =
  | { screen: 'registry' }
  | { screen: 'connections' }
  | ({ screen: 'repositories'; connection: string } & ListView)
  | { screen: 'tags'; connection: string; repository: string }
  | { screen: 'image'; connection: string; repository: string; reference: string }
  | { screen: 'storage'; tab?: StorageTab }
  | { screen: 'users' }
  | { screen: 'certificates' }
  | { screen: 'activity' }
  | { screen: 'sync' };

/** The hash of a route. */
export function hrefOf(route: Route): string {
  const e = encodeURIComponent;
  switch (route.screen) {
    case 'repositories':
      return `#/browse/${e(route.connection)}${viewQuery(route)}`;
    case 'tags':
      return `#/browse/${e(route.connection)}/${e(route.repository)}`;
    case 'image':
      return `#/browse/${e(route.connection)}/${e(route.repository)}/${e(route.reference)}`;
    case 'storage':
      return route.tab ? `#/storage/${route.tab}` : '#/storage';
    default:
      return `#/${route.screen}`;
  }
}

/** `?q=…&sort=…&dir=…&page=…` with the fields that differ from the defaults, or ''. */
function viewQuery(view: ListView): string {
  const p = new URLSearchParams();
  if (view.q) p.set('q', view.q);
  if (view.sort && view.sort !== 'name') p.set('sort', view.sort);
  if (view.dir && view.dir !== 'asc') p.set('dir', view.dir);
  if (view.page && view.page > 1) p.set('page', String(view.page));
  if (view.find) p.set('find', view.find);
  if (view.find && view.in) p.set('in', view.in);
  const text = p.toString();
  return text ? `?${text}` : '';
}

/** The view an address's query names, each field only when it is valid. */
function parseView(query: string): ListView {
  const p = new URLSearchParams(query);
  const view: ListView = {};
  const q = p.get('q');
  if (q) view.q = q.slice(0, MAX_ADDRESS_QUERY);
  const sort = p.get('sort');
  if (sort === 'name' || sort === 'tags' || sort === 'size') view.sort = sort;
  const dir = p.get('dir');
  if (dir === 'asc' || dir === 'desc') view.dir = dir;
  const page = p.get('page');
  if (page && /^[1-9]\d{0,5}$/.test(page) && Number(page) <= MAX_ADDRESS_PAGE) view.page = Number(page);
  const find = p.get('find');
  if (find === 'tag' || find === 'digest') view.find = find;
  const within = p.get('in');
  if (view.find && within) view.in = within.slice(0, MAX_ADDRESS_QUERY);
  return view;
}

/** decodeURIComponent, or null for a malformed escape (`%E0%A4%A`). */
function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** The route of a hash; the local registry's screen for anything unknown or malformed. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const mark = raw.indexOf('?');
  const decoded = (mark < 0 ? raw : raw.slice(0, mark)).split('/').filter(Boolean).map(decode);
  if (decoded.includes(null)) return { screen: 'registry' };
  const [head, a, b, c] = decoded as string[];
  if (head === 'browse' && a) {
    if (b && c) return { screen: 'image', connection: a, repository: b, reference: c };
    if (b) return { screen: 'tags', connection: a, repository: b };
    return { screen: 'repositories', connection: a, ...parseView(mark < 0 ? '' : raw.slice(mark + 1)) };
  }
  if (head === 'storage') return a === 'retention' || a === 'trash' ? { screen: 'storage', tab: a } : { screen: 'storage' };
  if (head === 'connections' || head === 'users' || head === 'certificates' || head === 'activity' || head === 'sync') return { screen: head };
  return { screen: 'registry' };
}

/**
 * Goes to a route. `replace` changes the address without a new history entry (a search being
 * typed), so that Back goes to the view before it rather than through every keystroke.
 */
export function navigate(route: Route, opts: { replace?: boolean } = {}): void {
  const hash = hrefOf(route);
  if (!opts.replace) {
    window.location.hash = hash;
    return;
  }
  window.history.replaceState(window.history.state, '', hash);
  // replaceState fires no hashchange of its own.
  window.dispatchEvent(new Event('hashchange'));
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
