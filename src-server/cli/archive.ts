/**
 * `berth export REF... --out FILE.tar` and `berth import FILE.tar`: images in and out as one file,
 * for air-gapped machines and for `docker load` / `podman load`. Both run in the core of the data
 * directory (the running `berth serve`, else in-process), paths made absolute here first.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load';
import { defaultDataDir } from '../config/defaults';
import type { Command } from 'commander';
import type { ArchiveExportReport, ArchiveImportReport, TransferProgress } from '../contract';
import { invokeCore, type DataOptions } from './control-client';
import { collect, hostAccess, platformChoice, type HostOptions } from './copy';
import { CliError } from './errors';
import { count, formatBytes } from './format';
import { parseImagePlace } from './image-place';
import { transferDisplay } from './transfer-progress';

/** Options of `berth export`. */
export interface ExportCommandOptions extends DataOptions, HostOptions {
  out?: string;
  format?: string;
  all?: boolean;
  platform?: string[];
  referrers?: boolean;
  json?: boolean;
}

/** Options of `berth import`. */
export interface ImportCommandOptions extends DataOptions {
  to?: string;
  json?: boolean;
}

/** Adds `berth export` and `berth import` to the program. */
export function registerArchiveCommands(program: Command, dataHelp: string): void {
  program
    .command('export')
    .description('write images (REPO:TAG of the local registry, HOST/REPO:TAG, oci:..., ...), with their referrers, into one archive')
    .argument('<images...>', 'the images to export, by tag')
    .requiredOption('--out <file.tar>', 'the archive to write (written beside itself and renamed into place when whole)')
    .option('--format <format>', 'oci (default: every platform and the referrers) or docker (what docker load and podman load read; one platform per image)')
    .option('--all', 'every platform of multi-platform images (the default for --format oci)')
    .option('--platform <os/arch>', 'this platform of multi-platform images (repeatable; default for --format docker: this machine\'s)', collect, [] as string[])
    .option('--no-referrers', 'leave the referrers out')
    .option('--creds <user:pass>', 'credentials for registry hosts without a saved connection')
    .option('--tls-verify <bool>', 'verify registry hosts\' certificates (default true; false also allows plain http)')
    .option('--ca <file>', 'a CA certificate (PEM) to trust for registry hosts')
    .option('--json', 'print the report as JSON on stdout (progress stays on stderr)')
    .option('--data <dir>', dataHelp)
    .option('--config <file>', 'config file to take the data directory from')
    .action(exportCommand);

  program
    .command('import')
    .description('load every image of an OCI archive or a docker archive (docker save, podman save) into the local registry')
    .argument('<file.tar>', 'the archive')
    .option('--to <repo>', 'put every image into this repository (their tags kept); needed for images the archive does not name')
    .option('--json', 'print the report as JSON on stdout (progress stays on stderr)')
    .option('--data <dir>', dataHelp)
    .option('--config <file>', 'config file to take the data directory from')
    .action(importCommand);
}

async function exportCommand(refs: string[], opts: ExportCommandOptions): Promise<void> {
  const format = opts.format ?? 'oci';
  if (format !== 'oci' && format !== 'docker') throw new CliError(`--format takes oci or docker, not ${JSON.stringify(format)}`);
  const access = hostAccess(opts);
  const images = refs.map((r) => parseImagePlace(r, access));
  const platforms = platformChoice(opts.all, opts.platform);
  const display = transferDisplay(process.stderr, 'export:');
  let report: ArchiveExportReport;
  try {
    report = await invokeCore(
      opts,
      'archive:export',
      { images, out: resolve(opts.out!), format, ...(platforms ? { platforms } : {}), referrers: opts.referrers !== false },
      (event, payload) => {
        if (event === 'transfer:progress') display.update(payload as TransferProgress);
      },
    );
  } finally {
    display.finish();
  }
  process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : exportSummary(report));
}

async function importCommand(file: string, opts: ImportCommandOptions): Promise<void> {
  // On a new machine the first thing may be an import: the default data directory is made for it
  // (one named by --data, BERTH_DATA or a config file must exist, so that a typo makes nothing).
  if (opts.data === undefined && opts.config === undefined && process.env.BERTH_DATA === undefined) {
    const { dataDir } = loadConfig(opts).config;
    if (dataDir === defaultDataDir() && !existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  }
  const display = transferDisplay(process.stderr, 'import:');
  let report: ArchiveImportReport;
  try {
    report = await invokeCore(opts, 'archive:import', { path: resolve(file), ...(opts.to !== undefined ? { to: opts.to } : {}) }, (event, payload) => {
      if (event === 'transfer:progress') display.update(payload as TransferProgress);
    });
  } finally {
    display.finish();
  }
  process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : importSummary(report));
  if (report.failed > 0) process.exitCode = 1;
}

/** The human summary of an export. */
export function exportSummary(r: ArchiveExportReport): string {
  const lines = [`Wrote ${count(r.images.length, 'image')} to ${r.path} (${r.format}, ${formatBytes(r.bytes)}) in ${(r.durationMs / 1000).toFixed(1)} s`];
  for (const i of r.images) lines.push(`  ${i.name}  ${i.digest}${i.referrers ? `  +${count(i.referrers, 'referrer')}` : ''}`);
  if (r.leftOut > 0) lines.push(`  ${count(r.leftOut, 'referrer')} left out: a docker archive cannot hold them (use --format oci)`);
  return lines.join('\n') + '\n';
}

/** The human summary of an import. */
export function importSummary(r: ArchiveImportReport): string {
  const lines = [`Imported ${r.imported} of ${count(r.images.length, 'image')} (${r.format} archive) in ${(r.durationMs / 1000).toFixed(1)} s${r.failed ? `; ${r.failed} failed` : ''}`];
  for (const i of r.images) lines.push(i.ok ? `  ${i.name} → ${i.target}  ${i.digest}` : `  ${i.name}: FAILED: ${i.error?.message ?? 'unknown error'}`);
  return lines.join('\n') + '\n';
}
