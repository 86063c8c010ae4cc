/**
 * Who is looking at the GUI, and what they may do. The desktop app's owner, a `--auth none` link and
 * anyone with `admin@*` see everything; any other user logged in to `berth serve` browses the local
 * registry read-only where they may pull, with the buttons their push and delete rights allow. The
 * server decides every call again: this only keeps the GUI from offering what it would refuse.
 */
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { LOCAL_CONNECTION_ID, type RepositoryAccess } from '../../../src-server/contract';
import { useApi } from '../api/context';
import type { Route } from './route';

/** The user of this GUI: their name (null in the desktop app) and whether they hold `admin@*`. */
export interface Viewer {
  name: string | null;
  admin: boolean;
  /** May push to some repository (offered importing an archive); an administrator may. */
  mayPush?: boolean;
}

const ViewerContext = createContext<Viewer>({ name: null, admin: true, mayPush: true });

/** Makes `viewer` the GUI's user for everything below. */
export function ViewerProvider({ viewer, children }: { viewer: Viewer; children: ReactNode }) {
  return <ViewerContext.Provider value={viewer}>{children}</ViewerContext.Provider>;
}

/** The GUI's user (an administrator unless a provider says otherwise). */
export function useViewer(): Viewer {
  return useContext(ViewerContext);
}

/** The screens only an administrator can use: they manage the whole registry or hold its secrets. */
export const ADMIN_SCREENS: ReadonlySet<Route['screen']> = new Set(['connections', 'storage', 'users', 'certificates', 'activity', 'sync']);

const EVERYTHING: RepositoryAccess = { pull: true, push: true, delete: true, admin: true };
const NOTHING: RepositoryAccess = { pull: false, push: false, delete: false, admin: false };

/**
 * What the viewer may do in `repository` of `connection`: everything for an administrator, nothing on
 * a remote for anyone else (its credentials are the administrator's), else the server's answer.
 * Undefined while the server is asked, so no button shows before it is known to work.
 */
export function useRepositoryAccess(connection: string, repository: string): RepositoryAccess | undefined {
  const viewer = useViewer();
  const api = useApi();
  const ask = !viewer.admin && connection === LOCAL_CONNECTION_ID;
  const access = useQuery({
    queryKey: ['access', viewer.name, repository],
    queryFn: () => api.invoke('access:repository', { repository }),
    enabled: ask,
  });
  if (viewer.admin) return EVERYTHING;
  if (!ask) return NOTHING;
  // A failed question is read as no right: the buttons stay hidden, and reading works as before.
  return access.isError ? NOTHING : access.data;
}
