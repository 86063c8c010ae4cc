/**
 * What a GUI user who is not an administrator may call. An administrator (`admin@*`) may call every
 * channel; anyone else logged in to `berth serve --ui` browses the local registry, read-only where
 * they may pull, with the actions their push and delete rights allow. Remote connections hold the
 * administrator's saved credentials, so they stay the administrator's. A channel this table does not
 * name is for administrators only: a new channel is closed until someone opens it here.
 */
import { LOCAL_CONNECTION_ID, type ImagePlace, type InvokeArgs, type InvokeChannel } from '../contract';
import { allows, allowsEverywhere, globOfPattern, type Right, type Rule } from '../auth/rules';

/** Who makes a call, for handlers that answer differently per user (listings filtered by rights). */
export interface CallerScope {
  user: string;
  /** The rules in force for the user (own and groups'). */
  rules: readonly Rule[];
}

/** True when the scope holds every right: no scope (the desktop, a local command) or `admin@*`. */
export function isAdministrator(scope: CallerScope | undefined): boolean {
  return scope === undefined || allowsEverywhere(scope.rules, 'admin');
}

/** The repository patterns a scope may pull from (every right includes pull); null for all of them. */
export function pullPatterns(scope: CallerScope | undefined): string[] | null {
  if (isAdministrator(scope) || allowsEverywhere(scope!.rules, 'pull')) return null;
  return [...new Set(scope!.rules.map((r) => r.pattern))];
}

/**
 * The SQLite GLOB patterns of {@link pullPatterns} (null for every repository), for filtering a
 * listing or a search of the index to exactly what the caller may pull.
 */
export function pullGlobs(scope: CallerScope | undefined): string[] | null {
  return pullPatterns(scope)?.map(globOfPattern) ?? null;
}

/** What one call needs: rights on repositories of the local registry, or nothing beyond a login. */
type Need = Array<{ right: Right; repository: string; connection?: string }> | 'login';

type Policy<C extends InvokeChannel> = (args: InvokeArgs<C>) => Need;

const onLocal = (connection: string | undefined, right: Right, repository: string) => [{ right, repository, connection }];

/** The channels a non-administrator may call, and what each needs. */
const POLICIES: { [C in InvokeChannel]?: Policy<C> } = {
  'registry:status': () => 'login',
  'connections:list': () => 'login',
  'cert:bundle': () => 'login',
  'cert:install-commands': () => 'login',
  'access:repository': () => 'login',
  // Listings and searches answer only what the caller may pull (pullGlobs, in the index query: paging
  // and counts are over those alone); remote ones are refused below.
  'browse:repositories': (a) => (a.connection === LOCAL_CONNECTION_ID ? 'login' : [{ right: 'admin', repository: '*', connection: a.connection }]),
  'browse:search': (a) => (a.connection === LOCAL_CONNECTION_ID ? 'login' : [{ right: 'admin', repository: '*', connection: a.connection }]),
  'browse:refresh': (a) => (a.connection === LOCAL_CONNECTION_ID ? 'login' : [{ right: 'admin', repository: '*', connection: a.connection }]),
  'browse:tags': (a) => onLocal(a.connection, 'pull', a.repository),
  'browse:image': (a) => onLocal(a.connection, 'pull', a.repository),
  'browse:repository-size': (a) => onLocal(a.connection, 'pull', a.repository),
  'usage:repository': (a) => onLocal(LOCAL_CONNECTION_ID, 'pull', a.name),
  'tag:delete-preview': (a) => onLocal(a.connection, 'delete', a.repository),
  'tag:delete': (a) => onLocal(a.connection, 'delete', a.repository),
  'tags:delete-plan': (a) => onLocal(a.connection, 'delete', a.repository),
  'tags:delete': (a) => onLocal(a.connection, 'delete', a.repository),
  'repository:delete': (a) => onLocal(a.connection ?? LOCAL_CONNECTION_ID, 'delete', a.name),
  'image:copy': (a) => [
    { right: 'pull', repository: a.from.repository, connection: a.from.connection },
    { right: 'push', repository: a.to.repository, connection: a.to.connection },
  ],
  'image:copy-preview': (a) => [
    { right: 'pull', repository: a.from.repository, connection: a.from.connection },
    { right: 'push', repository: a.to.repository, connection: a.to.connection },
  ],
  // An operation id is a random UUID only the GUI that started the copy knows: naming one is the right to stop it.
  'image:copy-cancel': () => 'login',
  'browse:referrer': (a) => onLocal(a.connection, 'pull', a.repository),
  // Reading an image's files is pulling it (the bridge's download is checked as contents:preview).
  'contents:files': (a) => onLocal(a.connection, 'pull', a.repository),
  'contents:layers': (a) => onLocal(a.connection, 'pull', a.repository),
  'contents:preview': (a) => onLocal(a.connection, 'pull', a.repository),
  'contents:diff': (a) => [...onLocal(a.left.connection, 'pull', a.left.repository), ...onLocal(a.right.connection, 'pull', a.right.repository)],
};

/** A refusal, in words for the GUI: what the user lacks. */
export interface AccessRefusal {
  code: 'DENIED';
  message: string;
}

/**
 * Null when `scope` may make the call, else why not. Administrators may make every call; the rest
 * may make the calls of the table above, on the local registry only, with the rights it names.
 */
export function callRefusal<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>, scope: CallerScope | undefined): AccessRefusal | null {
  if (scope !== undefined && namesMachinePlaces(channel, args)) {
    return {
      code: 'DENIED',
      message: 'files and registry hosts are named only from the berth CLI or the desktop app; in a browser, download an export or upload an archive to import it',
    };
  }
  if (isAdministrator(scope)) return null;
  const s = scope!;
  const policy = POLICIES[channel] as Policy<C> | undefined;
  if (!policy) return { code: 'DENIED', message: `${s.user} may not do this (${channel} needs admin@*)` };
  const need = policy(args);
  if (need === 'login') return null;
  for (const n of need) {
    if (n.connection !== undefined && n.connection !== LOCAL_CONNECTION_ID) {
      return { code: 'DENIED', message: `${s.user} may use only the local registry here; other connections are the administrator's` };
    }
    if (!allows(s.rules, n.right, n.repository)) {
      return { code: 'DENIED', message: `${s.user} may not ${verbOf(n.right)} ${n.repository} (needs ${n.right}@${n.repository} or a pattern covering it)` };
    }
  }
  return null;
}

/**
 * True when a call names files of the server's machine or registry hosts by address (with
 * credentials): only callers that own the machine may (the CLI through the control listener, the
 * desktop's main process); a browser session, administrator or not, may not make the server read or
 * write its files, nor dial addresses for it.
 */
function namesMachinePlaces(channel: InvokeChannel, args: unknown): boolean {
  const outside = (p: ImagePlace) => p.transport !== 'registry';
  if (channel === 'transfer:copy') {
    const a = args as InvokeArgs<'transfer:copy'>;
    return outside(a.from) || outside(a.to);
  }
  if (channel === 'archive:export' || channel === 'archive:import') return true;
  if (channel === 'sync:run') return (args as InvokeArgs<'sync:run'>).jobs !== undefined;
  return false;
}

function verbOf(right: Right): string {
  return right === 'pull' ? 'read' : right === 'push' ? 'push to' : right === 'delete' ? 'delete in' : 'administer';
}

/** The rights a scope holds on one local repository (what the GUI enables there). */
export function repositoryRights(scope: CallerScope | undefined, repository: string): { pull: boolean; push: boolean; delete: boolean; admin: boolean } {
  if (isAdministrator(scope)) return { pull: true, push: true, delete: true, admin: true };
  const rules = scope!.rules;
  return { pull: allows(rules, 'pull', repository), push: allows(rules, 'push', repository), delete: allows(rules, 'delete', repository), admin: false };
}
