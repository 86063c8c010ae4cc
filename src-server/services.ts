import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_UPLOAD_PURGING } from './config/maintenance';
import { DEFAULT_TRASH_KEEP_MS } from './config/resolve';
import type { BerthConfig } from './config/types';
import { OriginStore } from './index/origin-store';
import { RegistryIndex } from './index/registry-index';
import { createLogger, type Logger } from './logger';
import type { ReconcileReport } from './registry/reconcile';
import { Registry } from './registry/registry';
import type { RegistryService } from './registry/service';
import { createPullThrough } from './proxy/pull-through';
import type { ProxySettings } from './proxy/settings';
import type { StorageDriver } from './storage/driver';
import { FsDriver } from './storage/fs-driver';
import { startUploadPurging, type UploadPurgeSettings } from './storage/upload-purge';
import { describeS3, type S3Options } from './storage/s3-options';
import { BERTH_DIR } from './storage/layout';
import { AuditLog, auditLogPath } from './audit/audit-log';
import { UsageHistory, type HistoryClock } from './usage/history';
import { UsageHistoryStore } from './usage/history-store';
import { registryTotals } from './usage/usage';
import { TrashStore } from './trash/trash-store';
import { RetentionService } from './retention/service';
import { startRetentionSchedule } from './retention/scheduler';
import { TransferService } from './transfer/service';
import { createRegistryOpener, type FullRegistryOpener } from './transfer/registry-opener';
import { SyncService } from './sync/service';
import { startSyncSchedule } from './sync/scheduler';

/** Options for wiring Berth's services. */
export interface ServicesOptions {
  /** Storage root: registry:2's `rootdirectory`. */
  dataDir: string;
  /** registry:2's `storage.delete.enabled` (Berth's default: true). */
  deleteEnabled?: boolean;
  /** fsync blobs before they become visible (default true). */
  fsync?: boolean;
  log?: Logger;
  /** Makes the registry a pull-through cache of this upstream (registry:2's `proxy`). */
  proxy?: ProxySettings;
  /**
   * Keeps the registry's content in an S3-compatible bucket (registry:2's `storage.s3`) instead of
   * under `dataDir`, which then holds only Berth's own files (index, users, certificates).
   */
  s3?: S3Options;
  /**
   * Answers blob GETs with a 307 to a presigned URL of the blob's object (registry:2's
   * `storage.redirect`; S3 only, ignored on the filesystem). Default false: Berth serves the bytes.
   */
  redirect?: boolean;
  /** Removal of abandoned uploads (registry:2's storage.maintenance.uploadpurging); absent: none. */
  uploadPurging?: UploadPurgeSettings;
  /** How often the index is re-read from shared (S3) storage; default 30 s. */
  indexRefreshMs?: number;
  /** Samples the usage history daily (serving processes only; see usage/history.ts). */
  sampleUsage?: boolean;
  /** The usage history's clock (tests); default the system's. */
  clock?: HistoryClock;
  /** trash.keep: how long deletes stay restorable (default 7 days; 0 = deletes skip the trash). */
  trashKeepMs?: number;
  /** Removes expired trash items hourly (serving processes only). */
  expireTrash?: boolean;
  /** Runs the retention policies on retention.yml's schedule (serving processes only). */
  scheduleRetention?: boolean;
  /** Runs the sync jobs that have an interval (serving processes only). */
  scheduleSync?: boolean;
}

/** How often a serving process removes expired trash items. */
const TRASH_EXPIRY_INTERVAL_MS = 3_600_000;

/** The options a serving process (`berth serve`, the desktop's registry process) takes from its config. */
export function servingOptions(config: BerthConfig, log: Logger): ServicesOptions {
  return {
    dataDir: config.dataDir,
    deleteEnabled: config.deleteEnabled,
    log,
    proxy: config.proxy,
    s3: config.s3,
    redirect: config.redirect,
    uploadPurging: config.uploadPurging ?? DEFAULT_UPLOAD_PURGING,
    sampleUsage: true,
    trashKeepMs: config.trashKeepMs,
    expireTrash: true,
    scheduleRetention: true,
    scheduleSync: true,
  };
}

/** Everything the HTTP layer and the CLI use, wired once. */
export interface Services {
  dataDir: string;
  /** The local registry itself: its collection, usage and browsing views, and reconcile. */
  registry: Registry;
  /** The registry as clients and the GUI are served it: the local one, or a pull-through cache around it. */
  served: RegistryService;
  index: RegistryIndex;
  log: Logger;
  /** What the start-up reconcile of the index with the disk found. */
  reconcileReport: ReconcileReport;
  /** The data directory's audit log (`<data>/berth/audit.log`). */
  audit: AuditLog;
  auditPath: string;
  /** The stored bytes over time (`<data>/berth/usage-history.db`). */
  usageHistory: UsageHistory;
  /** The trash deletes go to first (`<data>/berth/trash/`, or the bucket's `berth/trash/`). */
  trash: TrashStore;
  /** Retention policies (`<data>/berth/retention.yml`) and their runs. */
  retention: RetentionService;
  /** Copies between any two places, archive exports and imports (issue 20). */
  transfer: TransferService;
  /** Sync jobs (`<data>/berth/sync.yml`), their runs and history. */
  sync: SyncService;
  /**
   * Opens the local registry, saved connections and hosts for copies and sync jobs; the app core,
   * where it runs, hands it its connections (useConnections).
   */
  opener: FullRegistryOpener;
  close(): void;
}

/** Path of Berth's SQLite index inside a data directory. */
export function indexPath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'index.db');
}

/** Path of the usage history inside a data directory (kept by `berth reindex`). */
export function usageHistoryPath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'usage-history.db');
}

/**
 * The composition root: opens storage and the index, makes the index agree with the disk, and
 * returns the services. The only place that knows every part.
 */
export async function createServices(opts: ServicesOptions): Promise<Services> {
  const log = opts.log ?? createLogger();
  mkdirSync(join(opts.dataDir, BERTH_DIR), { recursive: true });
  const driver: StorageDriver = opts.s3 ? await openS3(opts.s3, opts.redirect ?? false) : new FsDriver(opts.dataDir, { fsync: opts.fsync });
  await driver.prepare?.();
  const purger = opts.uploadPurging ? startUploadPurging(driver, opts.uploadPurging, log) : null;
  if (opts.s3) log.info(`storage: ${describeS3(opts.s3)}${opts.redirect ? '; blob GETs redirected to presigned URLs' : ''}`);
  const index = new RegistryIndex(indexPath(opts.dataDir));
  const origins = new OriginStore(join(opts.dataDir, BERTH_DIR, 'origins.db'));
  const trash = new TrashStore(driver, { keepMs: opts.trashKeepMs ?? DEFAULT_TRASH_KEEP_MS, log });
  const local = new Registry({ driver, index, origins, deleteEnabled: opts.deleteEnabled ?? true, sharedStorage: opts.s3 !== undefined, trash });
  const reconcileReport = await local.reconcile();
  for (const w of reconcileReport.warnings) log.warn(`index: ${w}`);
  // A bucket may be shared by several instances: the catalog follows theirs by a periodic re-read
  // (manifests by tag are checked against the bucket on every request, tag lists every few seconds).
  const refresher = opts.s3 ? keepIndexFresh(local, log, opts.indexRefreshMs ?? 30_000) : null;
  // What clients and the GUI are served: the local registry, or a pull-through cache wrapped around it.
  const served = opts.proxy ? createPullThrough(local, opts.proxy, log) : local;
  if (opts.proxy) {
    log.info(`pull-through cache of ${opts.proxy.remoteUrl}${opts.proxy.username ? ` as ${opts.proxy.username}` : ''}`);
  }
  const historyStore = new UsageHistoryStore(usageHistoryPath(opts.dataDir));
  const usageHistory = new UsageHistory({ store: historyStore, measure: () => registryTotals(local), clock: opts.clock, log });
  const sampling = opts.sampleUsage ? usageHistory.startDaily() : null;
  const expiry = opts.expireTrash ? every(TRASH_EXPIRY_INTERVAL_MS, () => trash.dropExpired(), (m) => log.warn(`trash: removing expired items failed: ${m}`)) : null;
  const retention = new RetentionService({ dataDir: opts.dataDir, registry: local, deleter: served, log });
  const retentionSchedule = opts.scheduleRetention ? startRetentionSchedule(retention, log) : null;
  const opener = createRegistryOpener({ dataDir: opts.dataDir, served });
  const transfer = new TransferService({ dataDir: opts.dataDir, opener });
  const sync = new SyncService({ dataDir: opts.dataDir, opener, log });
  const syncSchedule = opts.scheduleSync ? startSyncSchedule(sync, log) : null;
  const close = () => {
    syncSchedule?.stop();
    retentionSchedule?.stop();
    expiry?.stop();
    purger?.stop();
    refresher?.stop();
    sampling?.stop();
    usageHistory.close();
    historyStore.close();
    index.close();
    origins.close();
  };
  const auditPath = auditLogPath(opts.dataDir);
  const audit = new AuditLog(auditPath, { onError: (m) => log.warn(m) });
  return { dataDir: opts.dataDir, registry: local, served, index, log, reconcileReport, audit, auditPath, usageHistory, trash, retention, transfer, sync, opener, close };
}

/**
 * The S3 driver, loaded only when storage.s3 is configured: the AWS SDK costs some 25 MB of memory
 * that a registry on the filesystem has no use for.
 */
async function openS3(s3: S3Options, redirect: boolean): Promise<StorageDriver> {
  if (redirect) return new (await import('./storage/s3-presign')).RedirectingS3Driver(s3);
  return new (await import('./storage/s3-driver')).S3Driver(s3);
}

/** Re-reads the whole index from storage every `ms`, one run at a time, until stopped. */
function keepIndexFresh(registry: Registry, log: Logger, ms: number): { stop(): void } {
  return every(ms, () => registry.reconcile(), (m) => log.warn(`index refresh from the bucket failed: ${m}`));
}

/** Runs `task` every `ms`, one run at a time, on an unref'd timer, until stopped. */
function every(ms: number, task: () => Promise<unknown>, onError: (message: string) => void): { stop(): void } {
  let running = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = true;
    task()
      .catch((err: Error) => onError(err.message))
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
