/**
 * `berth audit`: the audit log of the data directory (`<data>/berth/audit.log` and its rotated
 * files), oldest first, as a table or as JSON lines. Read straight from the files: no server needed.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { auditLogPath } from '../audit/audit-log';
import { readAuditForward, readAuditPage, type AuditFilter } from '../audit/audit-reader';
import { AUDIT_ACTIONS, type AuditEntry } from '../contract/audit';
import { parseDuration } from '../config/duration';
import { loadConfig } from '../config/load';
import type { DataOptions } from './control-client';
import { CliError } from './errors';

/** Options of `berth audit`. */
export interface AuditCommandOptions extends DataOptions {
  json?: boolean;
  since?: string;
  user?: string;
  action?: string[];
  limit?: string;
}

/** Adds `berth audit` to the program. */
export function registerAuditCommand(program: Command, dataHelp: string): void {
  program
    .command('audit')
    .description('changes of content and access (pushes, deletes, GC, users, groups, rights, failed logins, settings), oldest first')
    .option('--json', 'one JSON object per line, as stored')
    .option('--since <duration>', 'only the last DURATION (90s, 30m, 24h, 7d) or since a date (2026-12-01, 2026-12-01T10:00:00Z)')
    .option('--user <name>', "only this user's entries (the OS user for cli and desktop entries)")
    .option('--action <action>', `only this action or area (repeatable): ${AUDIT_ACTIONS.join(', ')}, or a prefix such as user.`, (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--limit <n>', 'only the newest N matching entries')
    .option('--data <dir>', dataHelp)
    .option('--config <file>', 'config file to take the data directory from')
    .action(audit);
}

const DAY_MS = 86_400_000;

/** `--since`: a duration back from `now` (Go style, plus days: `7d`), or a date. */
export function sinceFrom(value: string, now = Date.now()): Date {
  const days = /^(\d+)d$/.exec(value);
  const ms = days ? Number(days[1]) * DAY_MS : parseDuration(value);
  if (ms !== null) return new Date(now - ms);
  // Only full dates and times: Date.parse alone would take "3" or "May".
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value);
  throw new CliError(`--since: "${value}" is neither a duration (30m, 24h, 7d) nor a date (2026-12-01, 2026-12-01T10:00:00Z)`);
}

function filterFrom(opts: AuditCommandOptions): AuditFilter {
  const filter: AuditFilter = {};
  if (opts.since !== undefined) filter.since = sinceFrom(opts.since);
  if (opts.user !== undefined) filter.user = opts.user;
  if (opts.action?.length) {
    for (const a of opts.action) {
      const known = a.endsWith('.') ? AUDIT_ACTIONS.some((x) => x.startsWith(a)) : (AUDIT_ACTIONS as readonly string[]).includes(a);
      if (!known) throw new CliError(`--action: unknown action "${a}" (one of ${AUDIT_ACTIONS.join(', ')}, or a prefix such as user.)`);
    }
    filter.actions = opts.action;
  }
  return filter;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** One entry as a table row: time (UTC), user, address, action, target, and what else it says. */
export function formatAuditRow(e: AuditEntry): string {
  const time = `${e.time.slice(0, 10)} ${e.time.slice(11, 19)}`;
  // JSON-quoted where a client chose the text, so that a hostile name cannot fake a row.
  const safe = (s: string) => (/^[\x21-\x7e]+$/.test(s) ? s : JSON.stringify(s));
  const extra = [
    ...(e.result === 'ok' ? [] : [`failed: ${safe(e.result)}`]),
    ...Object.entries(e.detail ?? {}).map(([k, v]) => safe(`${k}=${v}`)),
  ];
  return `${time}  ${pad(safe(e.user), 12)} ${pad(safe(e.address), 15)} ${pad(e.action, 17)} ${safe(e.target)}${extra.length ? `  ${extra.join(' ')}` : ''}`;
}

/** `berth audit`. */
export async function audit(opts: AuditCommandOptions): Promise<void> {
  const { config } = loadConfig(opts);
  const path = auditLogPath(config.dataDir);
  const filter = filterFrom(opts);
  let limit: number | undefined;
  if (opts.limit !== undefined) {
    limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit: "${opts.limit}" is not a positive whole number`);
  }
  if (!existsSync(path)) {
    process.stderr.write(`No audit entries yet (${path}).\n`);
    return;
  }
  const print = (e: AuditEntry) => process.stdout.write(`${opts.json ? JSON.stringify(e) : formatAuditRow(e)}\n`);
  if (!opts.json) process.stdout.write(`${pad('TIME (UTC)', 21)}${pad('USER', 13)}${pad('ADDRESS', 16)}${pad('ACTION', 18)}TARGET\n`);
  try {
    if (limit !== undefined) {
      const page = await readAuditPage(path, { ...filter, limit });
      for (const e of page.entries.reverse()) print(e);
      return;
    }
    for await (const e of readAuditForward(path, filter)) print(e);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EACCES') throw new CliError(`cannot read the audit log ${path}: permission denied (run as the user berth serve runs as)`);
    throw err;
  }
}
