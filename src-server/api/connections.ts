/**
 * Handlers and payload checks of the connection channels: list, add, edit, remove and test the
 * registries the user works with (src-server/connections does the work).
 */
import { LOCAL_CONNECTION_ID, type ConnectionDraft, type ConnectionTrust } from '../contract';
import { isAdministrator } from './caller-access';
import type { ConnectionManager } from '../connections/manager';
import { describeSecretStore, type SecretStore } from '../connections/secret-store';
import { ArgsError, isObject, none, nullableString, object, optionalString, optionalStringArray, requiredString, type Checks } from './args-kit';
import type { CoreHandler } from './handler-types';

/** The channels of this area. */
export type ConnectionChannel = 'connections:list' | 'connections:add' | 'connections:update' | 'connections:remove' | 'connections:test' | 'secrets:info';

/** The channels of this area, at run time. */
export const CONNECTION_CHANNELS: readonly ConnectionChannel[] = ['connections:list', 'connections:add', 'connections:update', 'connections:remove', 'connections:test', 'secrets:info'];

/** What the handlers need of the manager (any registry source type). */
export type ConnectionService = Pick<ConnectionManager, 'list' | 'add' | 'update' | 'remove' | 'test'>;

/** Builds the handlers of the connection channels over a manager and the secret store it writes to. */
export function createConnectionHandlers(manager: ConnectionService, secrets: SecretStore): { [C in ConnectionChannel]: CoreHandler<C> } {
  return {
    'secrets:info': async () => describeSecretStore(secrets),
    // The saved connections hold the administrator's credentials: other GUI users see the local registry only.
    'connections:list': async (_args, _emit, scope) => {
      const all = await manager.list();
      return isAdministrator(scope) ? all : all.filter((c) => c.id === LOCAL_CONNECTION_ID);
    },
    'connections:add': (draft) => manager.add(draft),
    'connections:update': ({ id, draft }) => manager.update(id, draft),
    'connections:remove': ({ id }) => manager.remove(id),
    'connections:test': (args) => manager.test(args),
  };
}

const DRAFT_KEYS = ['name', 'kind', 'url', 'username', 'password', 'trust', 'repositories', 'namespaces'];

/** A draft's shape (values are the manager's to judge); `partial` for an edit, where every field may be left out. */
function draft(raw: unknown, partial: boolean): Partial<ConnectionDraft> {
  if (!isObject(raw)) throw new ArgsError(partial ? 'draft must be an object of the fields to change' : 'the connection must be a JSON object');
  const o = object(raw, DRAFT_KEYS);
  const out: Partial<ConnectionDraft> = {};
  const name = partial ? optionalString(o, 'name') : requiredString(o, 'name');
  if (name !== undefined) out.name = name;
  const kind = partial ? optionalString(o, 'kind') : requiredString(o, 'kind');
  if (kind !== undefined) out.kind = kind as ConnectionDraft['kind'];
  const url = partial ? optionalString(o, 'url') : requiredString(o, 'url');
  if (url !== undefined) out.url = url;
  const username = nullableString(o, 'username');
  if (username !== undefined) out.username = username;
  const password = nullableString(o, 'password');
  if (password !== undefined) out.password = password;
  if (o.trust !== undefined) out.trust = trust(o.trust);
  const repositories = optionalStringArray(o, 'repositories');
  if (repositories !== undefined) out.repositories = repositories;
  const namespaces = optionalStringArray(o, 'namespaces');
  if (namespaces !== undefined) out.namespaces = namespaces;
  return out;
}

function trust(raw: unknown): ConnectionTrust {
  if (!isObject(raw)) throw new ArgsError('trust must be an object {mode, caPem?, pinSha256?}');
  const o = object(raw, ['mode', 'caPem', 'pinSha256']);
  const mode = requiredString(o, 'mode');
  if (mode !== 'system' && mode !== 'ca' && mode !== 'pin') throw new ArgsError('trust.mode must be system, ca or pin');
  const out: ConnectionTrust = { mode };
  const caPem = optionalString(o, 'caPem');
  if (caPem !== undefined) out.caPem = caPem;
  const pin = optionalString(o, 'pinSha256');
  if (pin !== undefined) out.pinSha256 = pin;
  return out;
}

const id = (raw: unknown) => ({ id: requiredString(object(raw, ['id']), 'id') });

/** Payload checks of this area. */
export const CONNECTION_CHECKS: Checks<ConnectionChannel> = {
  'connections:list': none,
  'secrets:info': none,
  'connections:add': (raw) => draft(raw, false) as ConnectionDraft,
  'connections:update': (raw) => {
    const o = object(raw, ['id', 'draft']);
    return { id: requiredString(o, 'id'), draft: draft(o.draft, true) };
  },
  'connections:remove': id,
  'connections:test': (raw) => {
    const o = object(raw, ['id', 'draft']);
    if ((o.id === undefined) === (o.draft === undefined)) throw new ArgsError('give either id (a saved connection) or draft (one not saved yet)');
    return o.id !== undefined ? { id: requiredString(o, 'id') } : { draft: draft(o.draft, false) as ConnectionDraft };
  },
};
