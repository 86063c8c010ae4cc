/**
 * `berth sync`: runs the jobs of sync.yml (all, or `--job NAME`), or image-syncer's files as they
 * are (`--auth AUTH --images IMAGES`, or the combined `--config FILE`), through the running
 * `berth serve` of the data directory (so its history and GUI see the run), else in-process.
 * Progress per job goes to stderr; `--json` prints the summary; the exit code is 1 when any image
 * failed. `berth sync list` and `berth sync rm NAME` show and remove jobs.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { SyncJob, SyncProgress, SyncSummary } from '../contract';
import { imageSyncerJobs, parseConfigText, readAuthTable, readCombined, type AuthTable } from '../sync/image-syncer';
import { MAX_SYNC_FILE_BYTES } from '../sync/sync-file';
import { invokeCore, type DataOptions } from './control-client';
import { CliError } from './errors';
import { count, formatBytes } from './format';

/** Options of `berth sync`. */
export interface SyncOptions {
  data?: string;
  job?: string;
  dryRun?: boolean;
  json?: boolean;
  proc?: string;
  retries?: string;
  auth?: string;
  images?: string;
  config?: string;
  registry?: string;
  namespace?: string;
}

/** Adds `berth sync` to the program. */
export function registerSyncCommand(program: Command, dataHelp: string): void {
  const sync = program
    .command('sync')
    .description("mirror images by the jobs of <data>/berth/sync.yml, or by image-syncer's files (--auth + --images, or --config)")
    .option('--data <dir>', dataHelp)
    .option('--job <name>', 'run only this job of sync.yml')
    .option('--dry-run', 'say what would be copied and skipped; copy nothing')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--proc <n>', 'images copied at once (default 4, at most 32)')
    .option('--retries <n>', 'attempts per image after the first, for failures that may pass (default 2)')
    .option('--auth <file>', "image-syncer's auth file (JSON or YAML): registry hosts with username, password, insecure")
    .option('--images <file>', "image-syncer's images file (JSON or YAML): \"SRC[:tags]\": DST")
    .option('--config <file>', "image-syncer's combined file (auth + images). NOTE: not Berth's config.yml, unlike other commands; give the data directory with --data or BERTH_DATA")
    .option('--registry <host>', 'where images without a destination go (image-syncer --registry; default $DEFAULT_REGISTRY)')
    .option('--namespace <ns>', 'with --registry (image-syncer --namespace; default $DEFAULT_NAMESPACE)')
    .action(syncRun);
  sync
    .command('list')
    .description('the jobs of sync.yml with their next and last runs')
    .option('--data <dir>', dataHelp)
    .option('--json', 'print the listing as JSON')
    // `sync` itself takes --data and --json too: commander may hand them to it, so both are read.
    .action((_opts: unknown, cmd: Command) => syncList(cmd.optsWithGlobals()));
  sync
    .command('rm')
    .argument('<name>', 'job name')
    .description('remove a job from sync.yml')
    .option('--data <dir>', dataHelp)
    .action((name: string, _opts: unknown, cmd: Command) => syncRm(name, cmd.optsWithGlobals()));
}

function wholeNumber(flag: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,3}$/.test(v) || Number(v) < min || Number(v) > max) throw new CliError(`${flag}: "${v}" must be a whole number from ${min} to ${max}`);
  return Number(v);
}

function readText(path: string, flag: string): { file: string; text: string } {
  try {
    if (statSync(path).size > MAX_SYNC_FILE_BYTES * 8) throw new CliError(`${flag} ${path}: larger than ${MAX_SYNC_FILE_BYTES * 8} bytes`);
    return { file: path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${flag} ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/** The one-off jobs of image-syncer's files, or undefined when none are given. */
export function oneOffJobs(opts: SyncOptions, env: NodeJS.ProcessEnv = process.env): SyncJob[] | undefined {
  if (opts.config && (opts.auth || opts.images)) throw new CliError('give either --config, or --auth with --images');
  if (opts.auth && !opts.images) throw new CliError('--auth needs --images (the images to sync)');
  const defaults = { registry: opts.registry ?? env.DEFAULT_REGISTRY, namespace: opts.namespace ?? env.DEFAULT_NAMESPACE };
  if (opts.config) {
    const f = readText(opts.config, '--config');
    const { auth, images } = readCombined(parseConfigText(f), f.file, env);
    return imageSyncerJobs({ auth, images, imagesFile: `${f.file} (images)`, defaults });
  }
  if (!opts.images) return undefined;
  let auth: AuthTable = new Map();
  if (opts.auth) {
    const a = readText(opts.auth, '--auth');
    auth = readAuthTable(parseConfigText(a), a.file, env);
  }
  const i = readText(opts.images, '--images');
  return imageSyncerJobs({ auth, images: parseConfigText(i), imagesFile: i.file, defaults });
}

/** A progress line: the job, images done of the total, the counts, the bytes and the rate. */
export function progressLine(p: SyncProgress): string {
  const total = p.imagesTotal === null ? '?' : String(p.imagesTotal);
  const rate = p.bytesPerSecond !== null ? `, ${formatBytes(p.bytesPerSecond)}/s` : '';
  return `sync: ${p.job}: ${p.imagesDone}/${total} images (${p.copied} copied, ${p.skipped} skipped, ${p.failed} failed), ${formatBytes(p.bytesDone)}${rate}\n`;
}

/** The summary in words. */
export function formatSummary(s: SyncSummary): string {
  const verb = s.dryRun ? 'would copy' : 'copied';
  const lines = [`${verb} ${count(s.copied, 'image')}, skipped ${s.skipped} (already there), ${s.failed} failed; ${formatBytes(s.bytes)} in ${(s.durationMs / 1000).toFixed(1)} s`];
  for (const i of s.images ?? []) lines.push(`  ${i.action === 'copy' ? 'copy' : 'skip'} ${i.source} -> ${i.destination}`);
  for (const f of s.failures) lines.push(`failed: ${f.job}: ${f.message} (${f.code})`);
  return lines.join('\n') + '\n';
}

/** `berth sync [...]`. */
export async function syncRun(opts: SyncOptions): Promise<void> {
  const data: DataOptions = { data: opts.data };
  try {
    const jobs = oneOffJobs(opts);
    if (jobs && opts.job) throw new CliError('--job names a job of sync.yml; it cannot be combined with image-syncer files');
    const proc = wholeNumber('--proc', opts.proc, 1, 32);
    const retries = wholeNumber('--retries', opts.retries, 0, 10);
    const args = { trigger: 'cli' as const, ...(jobs ? { jobs } : {}), ...(opts.job ? { job: opts.job } : {}), ...(opts.dryRun ? { dryRun: true } : {}), ...(proc !== undefined ? { proc } : {}), ...(retries !== undefined ? { retries } : {}) };
    const summary = await invokeCore(data, 'sync:run', args, (channel, payload) => {
      if (channel === 'sync:progress') process.stderr.write(progressLine(payload as SyncProgress));
    });
    process.stdout.write(opts.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
    if (summary.failed > 0) process.exitCode = 1;
  } catch (err) {
    if (!opts.json) throw err;
    // With --json every outcome is a summary: a run that could not start is one failure in words.
    const code = (err as { code?: unknown }).code;
    const failure = { job: opts.job ?? 'image-syncer', image: opts.images ?? opts.config ?? opts.job ?? 'sync', code: typeof code === 'string' ? code : 'INVALID', message: (err as Error).message };
    const summary = { runId: null, dryRun: opts.dryRun === true, copied: 0, skipped: 0, failed: 1, bytes: 0, durationMs: 0, failures: [failure], jobs: [] };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    process.stderr.write(`berth: ${failure.message}\n`);
    process.exitCode = 1;
  }
}

/** `berth sync list [--json]`. */
export async function syncList(opts: { data?: string; json?: boolean }): Promise<void> {
  const l = await invokeCore({ data: opts.data }, 'sync:list', undefined);
  if (opts.json) {
    process.stdout.write(JSON.stringify(l, null, 2) + '\n');
    return;
  }
  const lines = [`Jobs in ${l.file}`];
  if (l.jobs.length === 0) lines.push('No jobs.');
  for (const v of l.jobs) {
    const j = v.job;
    const from = 'connection' in j.source ? j.source.connection : j.source.host;
    const to = 'connection' in j.destination ? j.destination.connection : j.destination.host;
    const last = v.lastRun ? `; last run ${v.lastRun.startedAt}: ${v.lastRun.copied} copied, ${v.lastRun.skipped} skipped, ${v.lastRun.failed} failed` : '';
    lines.push(`${j.name}: ${from}/${j.source.repositories.join(',')} -> ${to}${j.interval ? `, every ${j.interval}` : ''}${v.nextRun ? `; next run ${v.nextRun}` : ''}${last}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

/** `berth sync rm NAME`. */
export async function syncRm(name: string, opts: { data?: string }): Promise<void> {
  const l = await invokeCore({ data: opts.data }, 'sync:remove', { name });
  process.stdout.write(`removed sync job ${name}; ${count(l.jobs.length, 'job')} left\n`);
}
