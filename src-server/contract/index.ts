/**
 * The contract between the GUI and the core: channel names, request/response types and the one error
 * envelope shared by the Electron IPC bridge (src-main) and the HTTP bridge (`/_berth/api`).
 *
 * This module is pure: it imports nothing, so src-renderer, src-main and src-server can all depend on it
 * (test/layering.test.ts enforces that). It holds constants and types only, never logic with effects.
 *
 * Add a method by adding a key to {@link InvokeChannelMap} and to INVOKE_CHANNEL_KEYS below (the
 * compiler insists), a payload check in src-server/api, and a handler; the preload and the
 * transports are generic and need no change. DTOs by area live in the sibling files.
 */
import type { CertBundle, CertificatesInfo, CertRegenerateArgs, GroupDto, GroupRemoveResult, InstallCommand, LocalSettings, LocalSettingsPatch, LocalSettingsResult, UserDto, UsersListing, RepositoryAccess } from './admin';
import type {
  ImageArgs,
  ImageDetails,
  RepositoriesArgs,
  RepositoriesPage,
  RepositorySize,
  TagsArgs,
  TagsPage,
} from './browse';
import type { SearchArgs, SearchResult } from './search';
import type { TagDeleteArgs, TagDeletePlan, TagDeleteResult, TagRef, TagsDeleteArgs, TagsDeletePlan, TagsDeletePlanArgs, TagsDeleteResult } from './tag-delete';
import type { AuditPage, AuditQuery } from './audit';
import type { Envelope } from './envelope';
import type { ConnectionDraft, ConnectionInfo, ConnectionTestResult, SecretStoreInfo } from './connections';
import type { ContentsDiffArgs, ContentsFilesArgs, ContentsPathArgs, ContentsRef, FilePreview, ImageDiff, ImageFiles, ImageLayers } from './contents';
import type { CopyArgs, CopyCancelArgs, CopyCancelResult, CopyPreview, CopyPreviewArgs, CopyProgress, CopyReport } from './copy';
import type { GcOptions, GcProgress, GcReport } from './gc';
import type { ReferrerArgs, ReferrerContent } from './referrers';
import type { RegistryStatus } from './registry-status';
import type { RetentionAddArgs, RetentionListing, RetentionReport, RetentionRunArgs, RetentionScheduleArgs } from './retention';
import type { SyncHistoryArgs, SyncListing, SyncProgress, SyncRunArgs, SyncRunRecord, SyncSaveArgs, SyncSummary } from './sync';
import type { ArchiveExportArgs, ArchiveExportReport, ArchiveImportArgs, ArchiveImportReport, TransferCopyArgs, TransferCopyReport, TransferProgress } from './transfer';
import type { TrashEmptyArgs, TrashEmptyResult, TrashListing, TrashRestoreArgs, TrashRestoreResult } from './trash';
import type { RepositoryUsageDetail, UsageHistorySeries, UsagePage, UsagePageArgs, UsageReport } from './usage';

export * from './admin';
export * from './audit';
export * from './browse';
export * from './codes';
export * from './connections';
export * from './contents';
export * from './copy';
export * from './envelope';
export * from './gc';
export * from './referrers';
export * from './registry-status';
export * from './retention';
export * from './search';
export * from './sync';
export * from './tag-delete';
export * from './transfer';
export * from './trash';
export * from './usage';
export * from './validation';

/**
 * Request/response methods, keyed by channel name (the Podman Desktop `IpcInvokeChannelMap` idea).
 * `args` is the single payload argument; `result` is what the envelope carries on success.
 */
export interface InvokeChannelMap {
  // The local registry.
  'registry:status': { args: void; result: RegistryStatus };
  'registry:start': { args: void; result: RegistryStatus };
  'registry:stop': { args: void; result: RegistryStatus };
  'settings:get': { args: void; result: LocalSettings };
  'settings:set': { args: LocalSettingsPatch; result: LocalSettingsResult };
  /** Runs (or previews) a garbage collection of the local registry; progress as `gc:progress`. */
  'gc:run': { args: GcOptions; result: GcReport };
  /** Storage usage of the local registry. */
  'usage:registry': { args: void; result: UsageReport };
  /** One repository's usage, image by image. */
  'usage:repository': { args: { name: string }; result: RepositoryUsageDetail };
  /** Deletes a repository: every tag and manifest (local: at once; remote: manifest by manifest). */
  'repository:delete': { args: { name: string; connection?: string }; result: { tags: number; manifests: number } };

  // Connections.
  'connections:list': { args: void; result: ConnectionInfo[] };
  'connections:add': { args: ConnectionDraft; result: ConnectionInfo };
  'connections:update': { args: { id: string; draft: Partial<ConnectionDraft> }; result: ConnectionInfo };
  'connections:remove': { args: { id: string }; result: void };
  /** Tries a connection (saved by id, or a draft before saving). */
  'connections:test': { args: { id: string } | { draft: ConnectionDraft }; result: ConnectionTestResult };

  // Browsing any connection.
  'browse:repositories': { args: RepositoriesArgs; result: RepositoriesPage };
  'browse:tags': { args: TagsArgs; result: TagsPage };
  'browse:image': { args: ImageArgs; result: ImageDetails };
  'browse:repository-size': { args: { connection: string; repository: string; refresh?: boolean }; result: RepositorySize };
  /** Forgets cached tag lists (of one repository, or of the whole connection). */
  'browse:refresh': { args: { connection: string; repository?: string }; result: void };
  'tag:delete-preview': { args: TagRef; result: TagDeletePlan };
  'tag:delete': { args: TagDeleteArgs; result: TagDeleteResult };
  /** Copies an image between connections; progress as `copy:progress`. */
  'image:copy': { args: CopyArgs; result: CopyReport };

  // Users and rights of the local registry.
  'users:list': { args: void; result: UsersListing };
  'users:add': { args: { name: string; password: string; rules?: string; groups?: string[] }; result: UserDto };
  'users:remove': { args: { name: string }; result: void };
  'users:set-password': { args: { name: string; password: string }; result: void };
  'users:set-rights': { args: { name: string; rules: string }; result: UserDto };
  'users:set-anonymous': { args: { rules: string }; result: UsersListing };
  /** The admin password generated at first start, once (null afterwards, or when none was generated). */
  'users:initial-password': { args: void; result: { user: string; password: string } | null };
  /** Replaces the groups a user is in; each must exist. */
  'users:set-groups': { args: { name: string; groups: string[] }; result: UserDto };
  'groups:list': { args: void; result: GroupDto[] };
  'groups:add': { args: { name: string; rules?: string }; result: GroupDto };
  /** Removes a group; its members lose its rights (and keep their own). */
  'groups:remove': { args: { name: string }; result: GroupRemoveResult };
  'groups:set-access': { args: { name: string; rules: string }; result: GroupDto };

  // Certificates of the local registry.
  'cert:info': { args: void; result: CertificatesInfo };
  'cert:regenerate': { args: CertRegenerateArgs; result: CertificatesInfo };
  /** `host` is what clients dial, `HOST:PORT`. */
  'cert:bundle': { args: { host: string }; result: CertBundle };
  'cert:install-commands': { args: { host: string }; result: InstallCommand[] };

  /** What the calling user may do in a repository of the local registry (everything, but for GUI users without admin@*). */
  'access:repository': { args: { repository: string }; result: RepositoryAccess };

  // The audit log of the local registry.
  /** Changes of content and access, newest first. */
  'audit:list': { args: AuditQuery; result: AuditPage };

  /** Where connection passwords and tokens are kept (the OS keychain, or a file and its path). */
  'secrets:info': { args: void; result: SecretStoreInfo };
  /** Tags or digests across the repositories of a connection. */
  'browse:search': { args: SearchArgs; result: SearchResult };
  // Deleting a selection of tags (browse).
  /** What deleting these tags would do, for the whole selection (at most 1,000 tags). */
  'tags:delete-plan': { args: TagsDeletePlanArgs; result: TagsDeletePlan };
  /** Carries out a plan of `tags:delete-plan`, refusing what changed since. */
  'tags:delete': { args: TagsDeleteArgs; result: TagsDeleteResult };
  // Storage usage as pictures.
  /** A page of repositories by usage (any order), with the totals and the rest summed. */
  'usage:repositories': { args: UsagePageArgs; result: UsagePage };
  /** The stored bytes of the last `days` days (default 365), one point per day. */
  'usage:history': { args: { days?: number }; result: UsageHistorySeries };
  // Copy: what the target tag holds before a copy, and stopping a running one.
  /** What `image:copy` with the same arguments would write, and what the target tag holds now. */
  'image:copy-preview': { args: CopyPreviewArgs; result: CopyPreview };
  /** Stops the running copy of that operation id between blobs; it writes no manifest and no tag. */
  'image:copy-cancel': { args: CopyCancelArgs; result: CopyCancelResult };
  /** A referrer (signature, SBOM, attestation): its manifest and content, bounded, with a summary of known formats. */
  'browse:referrer': { args: ReferrerArgs; result: ReferrerContent };
  // Image contents (issue 18): the files of one platform of an image, its layers' changes, a file's start, two images' diff.
  /** The merged filesystem (under `path` when given), with the hidden files and each layer's totals. */
  'contents:files': { args: ContentsFilesArgs; result: ImageFiles };
  /** Each layer's added, modified and deleted entries and the bytes it wastes (dive's view). */
  'contents:layers': { args: ContentsRef; result: ImageLayers };
  /** The first MAX_PREVIEW_BYTES of a file, as text when it is text. */
  'contents:preview': { args: ContentsPathArgs; result: FilePreview };
  /** Files, config and layers that differ between two images (possibly on two connections). */
  'contents:diff': { args: ContentsDiffArgs; result: ImageDiff };
  /**
   * Desktop only: saves a file, or a folder as a tar, of an image to `to`, a path the desktop's
   * main process asked the user for in a save dialog (`name` is the dialog's suggestion). The window
   * never chooses `to` (the main process sets it) and the HTTP bridge refuses this channel: in a
   * browser, GET /_berth/api/contents/download streams instead. `path` null: the dialog was cancelled.
   */
  'contents:save': { args: ContentsPathArgs & { name?: string; to?: string }; result: { path: string | null; bytes: number } };
  // Retention and the trash (issue 19).
  /** The policies of retention.yml, what each keeps now, the schedule, and the last run. */
  'retention:list': { args: void; result: RetentionListing };
  /** Adds (or with `replace`, replaces) a policy in retention.yml. */
  'retention:add': { args: RetentionAddArgs; result: RetentionListing };
  /** Removes a policy from retention.yml. */
  'retention:remove': { args: { name: string }; result: RetentionListing };
  /** Sets or clears the schedule in retention.yml. */
  'retention:schedule': { args: RetentionScheduleArgs; result: RetentionListing };
  /** Runs every policy now (or previews the run); refused (BUSY) while another run goes on. */
  'retention:run': { args: RetentionRunArgs; result: RetentionReport };
  /** The trash: deleted tags and manifests, newest first. */
  'trash:list': { args: void; result: TrashListing };
  /** Puts one item back, whole: its manifest(s) and tags. */
  'trash:restore': { args: TrashRestoreArgs; result: TrashRestoreResult };
  /** Removes items from the trash for good (a GC may then free what they held). */
  'trash:empty': { args: TrashEmptyArgs; result: TrashEmptyResult };
  // Sync and archives (issue 20).
  /** Copies one image between any two places (registries, OCI layouts, OCI and docker archives); progress as `transfer:progress`. */
  'transfer:copy': { args: TransferCopyArgs; result: TransferCopyReport };
  /** Stops a running copy, export, import or sync of that operation id. */
  'transfer:cancel': { args: { operationId: string }; result: { cancelled: boolean } };
  /** Writes images, with their referrers, into one OCI or docker archive. */
  'archive:export': { args: ArchiveExportArgs; result: ArchiveExportReport };
  /** Loads every image of an OCI or docker archive into the local registry. */
  'archive:import': { args: ArchiveImportArgs; result: ArchiveImportReport };
  /** The jobs of sync.yml, each with its next and last run, and the runs going on. */
  'sync:list': { args: void; result: SyncListing };
  /** Adds (or with `replace`, replaces) a job in sync.yml. */
  'sync:save': { args: SyncSaveArgs; result: SyncListing };
  /** Removes a job from sync.yml. */
  'sync:remove': { args: { name: string }; result: SyncListing };
  /** Runs jobs now (or says what a run would do); progress as `sync:progress`. */
  'sync:run': { args: SyncRunArgs; result: SyncSummary };
  /** The last runs, newest first. */
  'sync:history': { args: SyncHistoryArgs; result: { runs: SyncRunRecord[] } };
}

/** Events pushed from the core to the GUI, keyed by channel name, with their payload. */
export interface EventChannelMap {
  'registry:status-changed': RegistryStatus;
  'gc:progress': GcProgress;
  'copy:progress': CopyProgress;
  'transfer:progress': TransferProgress;
  'sync:progress': SyncProgress;
}

/** A request/response channel name. */
export type InvokeChannel = keyof InvokeChannelMap;
/** An event channel name. */
export type EventChannel = keyof EventChannelMap;
/** The payload type of an invoke channel. */
export type InvokeArgs<C extends InvokeChannel> = InvokeChannelMap[C]['args'];
/** The result type of an invoke channel. */
export type InvokeResult<C extends InvokeChannel> = InvokeChannelMap[C]['result'];

// Records keyed by the maps, so the compiler refuses a channel missing from, or unknown to, the maps.
const INVOKE_CHANNEL_KEYS: Record<InvokeChannel, true> = {
  'registry:status': true,
  'registry:start': true,
  'registry:stop': true,
  'settings:get': true,
  'settings:set': true,
  'gc:run': true,
  'usage:registry': true,
  'usage:repository': true,
  'repository:delete': true,
  'connections:list': true,
  'connections:add': true,
  'connections:update': true,
  'connections:remove': true,
  'connections:test': true,
  'browse:repositories': true,
  'browse:tags': true,
  'browse:image': true,
  'browse:repository-size': true,
  'browse:refresh': true,
  'tag:delete-preview': true,
  'tag:delete': true,
  'image:copy': true,
  'users:list': true,
  'users:add': true,
  'users:remove': true,
  'users:set-password': true,
  'users:set-rights': true,
  'users:set-anonymous': true,
  'users:initial-password': true,
  'users:set-groups': true,
  'groups:list': true,
  'groups:add': true,
  'groups:remove': true,
  'groups:set-access': true,
  'cert:info': true,
  'cert:regenerate': true,
  'cert:bundle': true,
  'cert:install-commands': true,
  'audit:list': true,
  'secrets:info': true,
  'browse:search': true,
  'access:repository': true,
  'tags:delete-plan': true,
  'tags:delete': true,
  'usage:repositories': true,
  'usage:history': true,
  'image:copy-preview': true,
  'image:copy-cancel': true,
  'browse:referrer': true,
  'contents:files': true,
  'contents:layers': true,
  'contents:preview': true,
  'contents:diff': true,
  'contents:save': true,
  'retention:list': true,
  'retention:add': true,
  'retention:remove': true,
  'retention:schedule': true,
  'retention:run': true,
  'trash:list': true,
  'trash:restore': true,
  'trash:empty': true,
  'transfer:copy': true,
  'transfer:cancel': true,
  'archive:export': true,
  'archive:import': true,
  'sync:list': true,
  'sync:save': true,
  'sync:remove': true,
  'sync:run': true,
  'sync:history': true,
};
const EVENT_CHANNEL_KEYS: Record<EventChannel, true> = { 'registry:status-changed': true, 'gc:progress': true, 'copy:progress': true, 'transfer:progress': true, 'sync:progress': true };

/** Invoke channel names at run time, exactly the keys of {@link InvokeChannelMap}. */
export const INVOKE_CHANNELS = Object.freeze(Object.keys(INVOKE_CHANNEL_KEYS) as InvokeChannel[]);
/** Event channel names at run time, exactly the keys of {@link EventChannelMap}. */
export const EVENT_CHANNELS = Object.freeze(Object.keys(EVENT_CHANNEL_KEYS) as EventChannel[]);

/** True when `name` is a known invoke channel (bridges refuse anything else). */
export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(name);
}

/** True when `name` is a known event channel. */
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && (EVENT_CHANNELS as readonly string[]).includes(name);
}

/**
 * What the preload exposes as `window.berth`: a generic bridge, never one function per method.
 * The renderer wraps it in its AppApi; the HTTP transport implements the same shape over fetch.
 */
export interface BerthBridge {
  invoke<C extends InvokeChannel>(channel: C, payload: InvokeArgs<C>): Promise<Envelope<InvokeResult<C>>>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<C extends EventChannel>(channel: C, listener: (payload: EventChannelMap[C]) => void): () => void;
}
