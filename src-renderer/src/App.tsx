/**
 * The GUI's root. In Electron the preload's bridge is used at once; in a browser the HTTP bridge of
 * `berth serve --ui`, after a login (or the `#token=` of `--auth none`).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { apiFromBridge, type AppApi } from './api/app-api';
import { HttpBridge, type HttpSession } from './api/http-bridge';
import { notifications } from '@mantine/notifications';
import { describeError } from './api/errors';
import { Loading } from './app/common';
import { Login } from './app/Login';
import { Providers } from './app/Providers';
import { useRoute } from './app/route';
import { Screen } from './app/Screens';
import { Shell } from './app/Shell';
import { ViewerProvider } from './app/viewer';

/** A user logged in over HTTP: their name, whether they hold `admin@*`, and how to log out. */
export interface LoggedInUser {
  name: string;
  admin: boolean;
  /** May push somewhere: importing an archive is offered. */
  mayPush: boolean;
  logout: () => void;
}

/** The app with a given AppApi (tests pass a fake one); without `user`, the desktop app's owner. */
export function AppWithApi({ api, user }: { api: AppApi; user?: LoggedInUser }) {
  return (
    <Providers api={api}>
      <ViewerProvider viewer={{ name: user?.name ?? null, admin: user?.admin ?? true, mayPush: user?.mayPush ?? true }}>
        <Routed user={user} />
      </ViewerProvider>
    </Providers>
  );
}

function Routed({ user }: { user?: LoggedInUser }) {
  const route = useRoute();
  return (
    <Shell route={route} user={user}>
      <Screen route={route} />
    </Shell>
  );
}

/** The app in a browser: logs in through the HTTP bridge first. */
function BrowserApp() {
  const bridge = useMemo(() => new HttpBridge(), []);
  const api = useMemo(
    () =>
      apiFromBridge(bridge, 'http', {
        contentsDownloadUrl: (args) => bridge.contentsDownloadUrl(args),
        archiveExportUrl: (args) => bridge.archiveExportUrl(args),
        uploadArchive: (file, opts) => bridge.uploadArchive(file, opts),
      }),
    [bridge],
  );
  const [session, setSession] = useState<HttpSession | null | undefined>(undefined);

  const starting = useRef<Promise<HttpSession | null> | null>(null);
  useEffect(() => {
    bridge.onUnauthorized = () => setSession(null);
    // Once per bridge: StrictMode runs effects twice in development, and a token login twice would open two sessions.
    if (starting.current) return;
    const token = /#token=([\w-]+)/.exec(window.location.hash)?.[1];
    const start = token
      ? bridge.login({ token }).finally(() => (window.location.hash = '#/registry'))
      : bridge.session();
    starting.current = start;
    start.then(setSession, () => setSession(null));
  }, [bridge]);

  if (session === undefined) return <Providers api={api}><Loading label="Connecting to Berth…" /></Providers>;
  if (session === null) {
    return (
      <Providers api={api}>
        <Login login={(body) => bridge.login(body)} onLoggedIn={setSession} />
      </Providers>
    );
  }
  // A logout the server did not accept leaves the user logged in (and says so) rather than pretending.
  const logout = () =>
    void bridge.logout().then(
      () => setSession(null),
      (err: unknown) => notifications.show({ color: 'red', ...describeError(err) }),
    );
  return <AppWithApi api={api} user={{ name: session.user, admin: session.admin === true, mayPush: session.mayPush === true || session.admin === true, logout }} />;
}

/** The GUI: over Electron's preload when present, else over HTTP. */
export function App() {
  const ipc = useMemo(() => {
    const files = window.berthFiles;
    return window.berth ? apiFromBridge(window.berth, 'ipc', files ? { pathForFile: (f) => files.pathOf(f) || null } : {}) : null;
  }, []);
  return ipc ? <AppWithApi api={ipc} /> : <BrowserApp />;
}
