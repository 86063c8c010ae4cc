/** The audit log entries of `berth` commands that change files themselves (users, groups, certificates). */
import { localActor } from '../audit/actor';
import { AuditLog, auditLogPath, type AuditEvent } from '../audit/audit-log';
import { loadConfig } from '../config/load';
import type { DataOptions } from './control-client';

/** A change a command makes, for the audit log of its data directory. */
export interface CliChange {
  /** How the command names its data directory (as every command resolves it). */
  opts: DataOptions;
  event: Omit<AuditEvent, 'result'>;
}

/**
 * Records a change (`ok`, or the code it was refused with) in the audit log of the command's data
 * directory, as the OS user running the command. Commands that act through a running server are
 * recorded by that server instead.
 */
export function recordChange(change: CliChange, result: string): void {
  let dataDir: string;
  try {
    dataDir = loadConfig(change.opts).config.dataDir;
  } catch {
    // No usable configuration: the command failed before it could change anything.
    return;
  }
  new AuditLog(auditLogPath(dataDir)).record(localActor('cli'), { ...change.event, result });
}
