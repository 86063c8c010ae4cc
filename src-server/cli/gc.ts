/**
 * `berth gc`: garbage collection of the data directory, run by the `berth serve` that owns it when
 * one runs (so its index and write gate see every change), else in-process. Progress on stderr,
 * the summary (or with --json the GcReport alone) on stdout.
 */
import type { Command } from 'commander';
import type { GcOptions, GcProgress, GcReport } from '../contract';
import { parseDuration } from '../config/resolve';
import { invokeCore, type DataOptions } from './control-client';
import { CliError } from './errors';
import { count, formatBytes } from './format';

/** Options of `berth gc`. */
export interface GcCommandOptions extends DataOptions {
  dryRun?: boolean;
  deleteUntagged?: boolean;
  grace?: string;
  json?: boolean;
}

const PHASE_TITLES: Record<GcProgress['phase'], string> = {
  mark: 'marking',
  manifests: 'removing manifests',
  blobs: 'removing blobs',
  links: 'cleaning links',
};

/** Adds `berth gc` to the program. */
export function registerGcCommand(program: Command, dataHelp: string): void {
  program
    .command('gc')
    .description('remove blobs no manifest references (through the running berth serve, or in-process)')
    .option('--dry-run', 'report what would be removed, remove nothing')
    .option('--delete-untagged', 'also remove manifests no tag reaches (and what only they reference)')
    .option(
      '--grace <duration>',
      'keep blobs and never-tagged manifests of pushes still in progress: those newer than this that no manifest references yet, e.g. 0, 30m (default 1h)',
    )
    .option('--json', 'print the report as JSON on stdout (progress stays on stderr)')
    .option('--data <dir>', dataHelp)
    .option('--config <file>', 'config file to take the data directory from')
    .action(gc);
}

/** Parses `--grace` (a Go-style duration, as in config files) into seconds. */
function graceSeconds(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new CliError(`--grace: "${value}" is not a duration (e.g. 0, 90s, 30m, 1h)`);
  return ms / 1000;
}

/** `berth gc`. */
export async function gc(opts: GcCommandOptions): Promise<void> {
  const progress = createProgress(process.stderr, 'gc:', PHASE_TITLES);
  let report: GcReport;
  try {
    const args: GcOptions = { dryRun: opts.dryRun === true, deleteUntagged: opts.deleteUntagged === true };
    if (opts.grace !== undefined) args.graceSeconds = graceSeconds(opts.grace);
    report = await invokeCore(opts, 'gc:run', args, (event, payload) => {
      if (event === 'gc:progress') progress.update(payload as GcProgress);
    });
  } finally {
    progress.finish();
  }
  process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : summary(report));
}

/** The human summary: one line of totals, then the manifests removed. */
export function summary(r: GcReport): string {
  const verb = r.dryRun ? 'Would remove' : 'Removed';
  const lines = [
    `${verb} ${count(r.manifestsRemoved.length, 'manifest')}, ${count(r.blobsRemoved.length, 'blob')}, ` +
      `${formatBytes(r.bytesRemoved)} in ${(r.durationMs / 1000).toFixed(1)} s` +
      (r.dryRun ? ' (dry run: nothing removed)' : ''),
  ];
  for (const m of r.manifestsRemoved) lines.push(`  ${m.repository}@${m.digest}`);
  const kept = `Kept ${count(r.manifestsKept, 'manifest')} and ${count(r.blobsKept, 'blob')}`;
  lines.push(r.blobsProtected > 0 ? `${kept}; ${count(r.blobsProtected, 'unreferenced blob')} kept for pushes in progress (touched during the run, or within the grace period)` : kept);
  return lines.join('\n') + '\n';
}

/** Progress of one step of a phase. `total` 0 means unknown yet. */
interface PhaseProgress {
  phase: string;
  done: number;
  total: number;
}

/** A progress display: feed it updates, then finish it. */
interface ProgressDisplay {
  update(p: PhaseProgress): void;
  /** Ends the current phase's line. */
  finish(): void;
}

const BAR_WIDTH = 24;

/** Creates the display for `stream` (a TTY gets the redrawn bar). `label` names the phases' owner. */
function createProgress(stream: NodeJS.WriteStream, label: string, titles: Record<string, string> = {}): ProgressDisplay {
  const tty = stream.isTTY === true;
  let current: PhaseProgress | null = null;
  let lastDraw = 0;
  const title = (phase: string) => titles[phase] ?? phase;
  const counts = (p: PhaseProgress) => (p.total > 0 ? `${p.done}/${p.total}` : `${p.done}`);
  const draw = (p: PhaseProgress) => {
    const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = p.total > 0 ? `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%` : '[working...]';
    stream.write(`\r\x1b[2K${label} ${title(p.phase)} ${bar} ${counts(p)}`);
  };
  const endPhase = () => {
    if (!current) return;
    if (tty) {
      draw(current);
      stream.write('\n');
    } else {
      stream.write(`${label} ${title(current.phase)}: ${counts(current)}\n`);
    }
    current = null;
  };
  return {
    update(p) {
      if (current && current.phase !== p.phase) endPhase();
      current = { ...p };
      // Redraw at most ~20 times a second: a sweep of many small blobs reports far more often.
      const now = Date.now();
      if (tty && (now - lastDraw >= 50 || p.done === p.total)) {
        lastDraw = now;
        draw(current);
      }
    },
    finish: endPhase,
  };
}
