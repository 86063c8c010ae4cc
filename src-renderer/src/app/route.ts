/**
 * Navigation as the URL's hash (`#/browse/local/team%2Fapp`), so that every screen has an address:
 * the browser's back button, reloads and the end-to-end tests all work, in Electron too.
 */
import { useEffect, useState } from 'react';

/** Where the app is. */
export type Route =
  | { screen: 'registry' }
  | { screen: 'connections' }
  | { screen: 'repositories'; connection: string }
  | { screen: 'tags'; connection: string; repository: string }
  | { screen: 'image'; connection: string; repository: string; reference: string }
  | { screen: 'storage' }
  | { screen: 'users' }
  | { screen: 'certificates' }
  | { screen: 'activity' };

/** The hash of a route. */
export function hrefOf(route: Route): string {
  const e = encodeURIComponent;
  switch (route.screen) {
    case 'repositories':
      return `#/browse/${e(route.connection)}`;
    case 'tags':
      return `#/browse/${e(route.connection)}/${e(route.repository)}`;
    case 'image':
      return `#/browse/${e(route.connection)}/${e(route.repository)}/${e(route.reference)}`;
    default:
      return `#/${route.screen}`;
  }
}

/** The route of a hash; the local registry's screen for anything unknown. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [head, a, b, c] = parts;
  if (head === 'browse' && a) {
    if (b && c) return { screen: 'image', connection: a, repository: b, reference: c };
    if (b) return { screen: 'tags', connection: a, repository: b };
    return { screen: 'repositories', connection: a };
  }
  if (head === 'connections' || head === 'storage' || head === 'users' || head === 'certificates' || head === 'activity') return { screen: head };
  return { screen: 'registry' };
}

/** Goes to a route. */
export function navigate(route: Route): void {
  window.location.hash = hrefOf(route);
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
