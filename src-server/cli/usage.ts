/**
 * `berth usage [REPOSITORY]`: storage usage of the local registry, through the running `berth serve`
 * when one owns the data directory, else in-process. Formatting lives in pure functions below.
 */
import type { Command } from 'commander';
import type { ContentOrigin, ImageUsage, RepositoryUsageDetail, UsageReport } from '../contract';
import { invokeCore, type DataOptions } from './control-client';
import { count, formatBytes } from './format';

/** Options of `berth usage`. */
export interface UsageCommandOptions extends DataOptions {
  json?: boolean;
}

const SIZES_HELP = `
Sizes are in decimal units, like docker's (1 kB = 1000 B, 1 MB = 1000 kB).
  stored    bytes of the distinct blobs referenced (manifests, configs, layers) that are on disk
  shared    the part of stored that something else references too
            (repositories: another repository; images: any other image; platforms: anything
            outside the platform, other platforms of the same image included)
  unique    stored - shared: what deleting it, then \`berth gc\`, frees
  untagged  what only untagged manifests hold: what \`berth gc --delete-untagged\` frees`;

/** Adds `berth usage` to the program. */
export function registerUsageCommands(program: Command, dataHelp = 'data directory (registry:2 rootdirectory)'): void {
  program
    .command('usage')
    .argument('[repository]', 'show one repository image by image, e.g. team/app')
    .description('show storage usage: repositories by size, or the images of one repository')
    .option('--json', 'print the report as JSON')
    .option('--data <dir>', dataHelp)
    .option('--config <file>', 'config file to take the data directory from')
    .addHelpText('after', SIZES_HELP)
    .action(usage);
}

/** `berth usage [REPOSITORY] [--json]`. */
export async function usage(repository: string | undefined, opts: UsageCommandOptions): Promise<void> {
  const result = repository === undefined
    ? await invokeCore(opts, 'usage:registry', undefined)
    : await invokeCore(opts, 'usage:repository', { name: repository });
  if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else if (repository === undefined) process.stdout.write(formatRegistryUsage(result as UsageReport));
  else process.stdout.write(formatRepositoryUsage(result as RepositoryUsageDetail));
}

/** How times are shown: in the local time zone (the default) or in UTC. */
export type TimeZoneChoice = 'local' | 'utc';

/** The registry table: repositories by stored bytes, largest first, then the totals. */
export function formatRegistryUsage(report: UsageReport): string {
  const t = report.totals;
  const rows = [...report.repositories]
    .sort((a, b) => b.stored - a.stored || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((r) => [r.name, String(r.tags), String(r.manifests), formatBytes(r.stored), formatBytes(r.shared), formatBytes(r.unique), formatBytes(r.untagged)]);
  const lines = rows.length
    ? [formatTable(['REPOSITORY', 'TAGS', 'MANIFESTS', 'STORED', 'SHARED', 'UNIQUE', 'UNTAGGED'], rows, 'lrrrrrr')]
    : ['No repositories.'];
  lines.push(
    '',
    `${count(t.repositories, 'repository', 'repositories')}, ${count(t.manifests, 'manifest')}, ` +
      `${count(t.blobs, 'blob')} using ${formatBytes(t.stored)}`,
    `Reclaimable: ${formatBytes(t.reclaimable)} by \`berth gc\`, ${formatBytes(t.reclaimableUntagged)} with --delete-untagged`,
  );
  if (t.trashItems > 0) {
    lines.push(`In the trash: ${count(t.trashItems, 'item')} holding ${formatBytes(t.trashHeldBytes)} back from GC (see \`berth trash list\`)`);
  }
  return lines.join('\n') + '\n';
}

/** One repository: a summary line, then its images with their platforms indented below them. */
export function formatRepositoryUsage(detail: RepositoryUsageDetail, zone: TimeZoneChoice = 'local'): string {
  const r = detail.repository;
  const head =
    `${r.name}: ${count(r.tags, 'tag')}, ${count(r.manifests, 'manifest')}; stored ${formatBytes(r.stored)}, ` +
    `shared ${formatBytes(r.shared)}, unique ${formatBytes(r.unique)}, untagged ${formatBytes(r.untagged)}`;
  if (!detail.images.length) return `${head}\nNo images.\n`;
  const rows: string[][] = [];
  for (const image of detail.images) {
    rows.push([imageLabel(image), shortDigest(image.digest), formatBytes(image.stored), formatBytes(image.shared), formatBytes(image.unique), formatOrigin(image.origin, zone)]);
    for (const p of image.platforms) {
      rows.push([`  ${p.platform}`, shortDigest(p.digest), formatBytes(p.stored), formatBytes(p.shared), formatBytes(p.unique), '']);
    }
  }
  return `${head}\n\n${formatTable(['TAGS', 'DIGEST', 'STORED', 'SHARED', 'UNIQUE', 'ORIGIN'], rows, 'llrrrl')}\n`;
}

/** An image's first column: its tags, `<referrer of DIGEST>` or `<untagged>`. */
export function imageLabel(image: ImageUsage): string {
  if (image.tags.length) return image.tags.join(', ');
  return image.subject ? `<referrer of ${shortDigest(image.subject)}>` : '<untagged>';
}

/** `pushed 2026-11-22 10:00`, `cached from https://host 2026-11-22 10:00`, or `unknown`. */
export function formatOrigin(origin: ContentOrigin, zone: TimeZoneChoice = 'local'): string {
  const at = origin.at ? ` ${formatTime(origin.at, zone)}` : '';
  if (origin.source === 'pushed') return `pushed${at}`;
  if (origin.source === 'cached') return `cached${origin.upstream ? ` from ${origin.upstream}` : ''}${at}`;
  return 'unknown';
}

/** An ISO time as `YYYY-MM-DD HH:MM`, in the local zone or UTC (with a `UTC` suffix). */
export function formatTime(iso: string, zone: TimeZoneChoice = 'local'): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const utc = zone === 'utc';
  const p = (n: number) => String(n).padStart(2, '0');
  const [y, mo, day, h, mi] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()];
  return `${y}-${p(mo)}-${p(day)} ${p(h)}:${p(mi)}${utc ? ' UTC' : ''}`;
}

/** The first 12 hex digits of a digest, as docker shows image IDs. */
export function shortDigest(digest: string): string {
  const hex = digest.slice(digest.indexOf(':') + 1);
  return hex.slice(0, 12);
}

/**
 * A plain-text table: a header row, then rows, columns separated by two spaces. `align` has one
 * letter per column: `l` pads on the right, `r` on the left (numbers). No trailing spaces.
 */
export function formatTable(header: string[], rows: string[][], align: string): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all
    .map((r) => r.map((cell, c) => (align[c] === 'r' ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}
