/**
 * Which invoke channels change content or access, and the audit entries a call of each makes. The
 * entries are built from chosen fields of the checked payload and the result, never the payload
 * as a whole, so that a password (users:add, users:set-password, a proxy password in settings:set,
 * a connection's password) can never reach the log.
 */
import type { InvokeArgs, InvokeChannel, InvokeResult } from '../contract';
import type { AuditEvent } from '../audit/audit-log';

/** How a call ended: its result, or the error code it failed with. */
export type CallOutcome<C extends InvokeChannel> = { ok: true; result: InvokeResult<C> } | { ok: false; code: string };

type Describe<C extends InvokeChannel> = (args: InvokeArgs<C>, outcome: CallOutcome<C>) => Omit<AuditEvent, 'result'>[];

/** The audited channels; every other channel only reads (or tests a connection) and is not logged. */
const AUDITED: { [C in InvokeChannel]?: Describe<C> } = {
  'registry:start': () => [{ action: 'registry.start', target: 'registry' }],
  'registry:stop': () => [{ action: 'registry.stop', target: 'registry' }],
  'settings:set': (patch) => {
    const detail: Record<string, string | boolean> = {};
    if (patch.listen !== undefined) detail.listen = patch.listen;
    if (patch.tlsListen !== undefined) detail.tlsListen = patch.tlsListen ?? 'none';
    if (patch.deleteEnabled !== undefined) detail.deleteEnabled = patch.deleteEnabled;
    if (patch.proxy === null) detail.proxy = 'none';
    else if (patch.proxy) {
      detail.proxy = patch.proxy.remoteUrl;
      if (patch.proxy.username !== undefined) detail.proxyUsername = patch.proxy.username ?? 'none';
      // Only whether it changed: the value is a secret.
      if (patch.proxy.password !== undefined) detail.proxyPassword = patch.proxy.password === null ? 'removed' : 'set';
    }
    const changed = (['listen', 'tlsListen', 'deleteEnabled', 'proxy'] as const).filter((k) => patch[k] !== undefined);
    return [{ action: 'settings.change', target: changed.join(',') || 'none', detail }];
  },
  'gc:run': (args, outcome) => {
    if (args.dryRun) return [];
    const detail: Record<string, number | boolean> = { deleteUntagged: args.deleteUntagged === true };
    if (outcome.ok) {
      detail.manifests = outcome.result.manifestsRemoved.length;
      detail.blobs = outcome.result.blobsRemoved.length;
      detail.bytes = outcome.result.bytesRemoved;
    }
    return [{ action: 'gc.run', target: 'registry', detail }];
  },
  'trash:restore': (args, outcome) => {
    const named = 'id' in args ? `trash item ${args.id.slice(0, 100)}` : args.reference.slice(0, 300);
    if (!outcome.ok) return [{ action: 'trash.restore', target: named }];
    const r = outcome.result;
    return [{ action: 'trash.restore', target: `${r.repository}@${r.digest}`, detail: { tags: r.restoredTags.join(','), relinked: r.relinkedManifests } }];
  },
  'trash:empty': (args, outcome) => {
    const detail: Record<string, number | string> = {};
    if (args.olderThanSeconds !== undefined) detail.olderThanSeconds = args.olderThanSeconds;
    if (args.ids !== undefined) detail.ids = args.ids.length;
    if (outcome.ok) Object.assign(detail, { removed: outcome.result.removed, heldBytes: outcome.result.heldBytes });
    return [{ action: 'trash.empty', target: 'trash', detail }];
  },
  'retention:run': (args, outcome) => {
    if (args.dryRun) return [];
    const detail: Record<string, number> = {};
    if (outcome.ok) {
      detail.tags = outcome.result.tags.length;
      detail.manifests = outcome.result.manifests.length;
      detail.bytesFreed = outcome.result.bytesFreed;
      detail.errors = outcome.result.errors.length;
    }
    return [{ action: 'retention.run', target: 'registry', detail }];
  },
  // Policies are settings of the registry: their changes are recorded as such, named.
  'retention:add': (args) => [
    { action: 'settings.change', target: `retention policy ${args.policy.name}`, detail: { repos: args.policy.repos, ...(args.replace ? { replaced: true } : {}), ...(args.force ? { force: true } : {}) } },
  ],
  'retention:remove': (args) => [{ action: 'settings.change', target: `retention policy ${args.name}`, detail: { removed: true } }],
  'retention:schedule': (args) => [{ action: 'settings.change', target: 'retention schedule', detail: { schedule: args.schedule ?? 'none' } }],
  'repository:delete': (args) => [{ action: 'repository.delete', target: args.name, detail: { connection: args.connection ?? 'local' } }],
  'tag:delete': (args, outcome) => {
    const tags = outcome.ok ? outcome.result.removedTags : [args.tag];
    return tags.map((tag) => ({
      action: 'tag.delete' as const,
      target: `${args.repository}:${tag}`,
      detail: { connection: args.connection, digest: args.digest },
    }));
  },
  'tags:delete': (args, outcome) => {
    // What went, each tag with the digest it pointed at; a refused call names what was asked.
    const digestOf = new Map(args.images.flatMap((i) => [...i.tags, ...i.alsoDeleted].map((t) => [t, i.digest] as const)));
    const tags = outcome.ok ? outcome.result.removed : args.images.flatMap((i) => i.tags);
    return tags.map((tag) => ({
      action: 'tag.delete' as const,
      target: `${args.repository}:${tag}`,
      detail: { connection: args.connection, digest: digestOf.get(tag) ?? 'unknown' },
    }));
  },
  'image:copy': (args, outcome) => {
    const to = `${args.to.repository}${args.to.reference ? `:${args.to.reference}` : ''}`;
    const detail: Record<string, string> = {
      connection: args.to.connection,
      from: `${args.from.connection}/${args.from.repository}:${args.from.reference}`,
    };
    if (outcome.ok) detail.digest = outcome.result.digest;
    // An overwrite says what it replaced: the log must show that an image went.
    if (outcome.ok && outcome.result.replaced) detail.replaced = outcome.result.replaced;
    return [{ action: 'image.copy', target: to, detail }];
  },
  'transfer:copy': (args, outcome) => {
    // Only the place names: a host's access (its password) never reaches the log.
    const where = (p: typeof args.from) =>
      p.transport === 'registry' ? `${p.connection}/${p.repository}${p.reference ? `:${p.reference}` : ''}` : p.transport === 'host' ? `${p.host}/${p.repository}${p.reference ? `:${p.reference}` : ''}` : `${p.transport}:${p.path}`;
    const detail: Record<string, string> = { from: where(args.from) };
    if (outcome.ok) detail.digest = outcome.result.digest;
    if (outcome.ok && outcome.result.replaced) detail.replaced = outcome.result.replaced;
    return [{ action: 'image.copy', target: outcome.ok ? outcome.result.target : where(args.to), detail }];
  },
  'archive:import': (args, outcome) => {
    if (!outcome.ok) return [{ action: 'image.import', target: args.path, detail: { archive: args.path } }];
    return outcome.result.images.filter((i) => i.ok).map((i) => ({ action: 'image.import' as const, target: i.target ?? i.name, detail: { archive: args.path, digest: i.digest ?? '' } }));
  },
  'sync:run': (args, outcome) => {
    if (args.dryRun) return [];
    const detail: Record<string, number | string> = { jobs: args.job ?? (args.jobs ? `${args.jobs.length} one-off` : 'all') };
    if (outcome.ok) Object.assign(detail, { copied: outcome.result.copied, skipped: outcome.result.skipped, failed: outcome.result.failed, bytes: outcome.result.bytes });
    return [{ action: 'sync.run', target: args.job ?? 'sync', detail }];
  },
  // Jobs are settings of the registry: their changes are recorded as such, named.
  'sync:save': (args) => [{ action: 'settings.change', target: `sync job ${args.job.name}`, detail: { ...(args.replace ? { replaced: true } : {}) } }],
  'sync:remove': (args) => [{ action: 'settings.change', target: `sync job ${args.name}`, detail: { removed: true } }],
  'users:add': (args) => [{ action: 'user.add', target: args.name, detail: { rules: args.rules ?? '', ...(args.groups?.length ? { groups: args.groups.join(',') } : {}) } }],
  'users:set-groups': (args) => [{ action: 'user.groups', target: args.name, detail: { groups: args.groups.join(',') } }],
  'groups:add': (args) => [{ action: 'group.add', target: args.name, detail: { rules: args.rules ?? '' } }],
  'groups:remove': (args, outcome) => [
    { action: 'group.remove', target: args.name, ...(outcome.ok && outcome.result.members.length ? { detail: { members: outcome.result.members.join(',') } } : {}) },
  ],
  'groups:set-access': (args) => [{ action: 'group.access', target: args.name, detail: { rules: args.rules } }],
  'users:remove': (args) => [{ action: 'user.remove', target: args.name }],
  'users:set-password': (args) => [{ action: 'user.password', target: args.name }],
  'users:set-rights': (args) => [{ action: 'user.access', target: args.name, detail: { rules: args.rules } }],
  'users:set-anonymous': (args) => [{ action: 'anonymous.access', target: 'anonymous', detail: { rules: args.rules } }],
  'cert:regenerate': (args) => [
    { action: 'cert.regenerate', target: 'server certificate', detail: { newCa: args.newCa === true, ...(args.extraNames ? { names: args.extraNames.join(',') } : {}) } },
  ],
  'connections:add': (draft, outcome) => [
    { action: 'connection.add', target: draft.name, detail: { url: draft.url, ...(outcome.ok ? { id: outcome.result.id } : {}) } },
  ],
  'connections:update': (args, outcome) => {
    const fields = Object.keys(args.draft).filter((k) => k !== 'password');
    const detail: Record<string, string> = { id: args.id, fields: fields.join(',') };
    if (args.draft.url !== undefined) detail.url = args.draft.url;
    if (args.draft.password !== undefined) detail.password = args.draft.password === null ? 'removed' : 'set';
    return [{ action: 'connection.update', target: outcome.ok ? outcome.result.name : (args.draft.name ?? args.id), detail }];
  },
  'connections:remove': (args) => [{ action: 'connection.remove', target: args.id }],
};

/** True when calls of the channel are logged. */
export function isAuditedChannel(channel: InvokeChannel): boolean {
  return AUDITED[channel] !== undefined;
}

/** The entries a finished call of `channel` makes (none for a channel that only reads). */
export function auditEventsFor<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>, outcome: CallOutcome<C>): AuditEvent[] {
  const describe = AUDITED[channel] as Describe<C> | undefined;
  if (!describe) return [];
  const result = outcome.ok ? 'ok' : outcome.code;
  return describe(args, outcome).map((e) => ({ ...e, result }));
}
