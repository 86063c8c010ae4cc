/**
 * `berth retention add|list|rm|run`: the retention policies of retention.yml, through the running
 * `berth serve` (or in-process when none runs), as `berth gc` does.
 */
import type { Command } from 'commander';
import type { RetentionListing, RetentionPolicy, RetentionReport } from '../contract';
import { invokeCore, type DataOptions } from './control-client';
import { CliError } from './errors';
import { count, formatBytes } from './format';

/** Options of `berth retention add`. */
export interface RetentionAddOptions extends DataOptions {
  repos: string;
  keepLast?: string;
  keepNewerThan?: string;
  keepTags?: string[];
  untagged?: boolean;
  force?: boolean;
}

/** Options of `berth retention list` and `run`. */
export interface RetentionOutputOptions extends DataOptions {
  json?: boolean;
  dryRun?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `berth retention ...` to the program. */
export function registerRetentionCommands(program: Command, dataHelp: string): void {
  const retention = program.command('retention').description('retention policies: which tags to keep, the rest removed (into the trash)');
  const withData = (c: Command) => c.option('--data <dir>', dataHelp).option('--config <file>', 'config file to take the data directory from');
  withData(
    retention
      .command('add')
      .argument('<name>', 'policy name: letters, digits, ., _ and -')
      .description('add a policy; a tag of a matching repository survives when any policy keeps it')
      .requiredOption('--repos <glob>', 'repositories it applies to: * any characters (slashes too), ? one, e.g. "team/*"')
      .option('--keep-last <n>', 'keep the N most recently pushed tags')
      .option('--keep-newer-than <duration>', 'keep tags pushed within this duration, e.g. 30d, 12h, 2w')
      .option('--keep-tags <regex>', 'keep tags matching this regular expression (repeatable)', collect)
      .option('--untagged', 'also remove manifests no remaining tag reaches')
      .option('--force', 'allow a policy that keeps nothing (e.g. --keep-last 0 alone)'),
  ).action(retentionAdd);
  withData(retention.command('list').description('the policies, and which tags each keeps now and why').option('--json', 'print the listing as JSON')).action(retentionList);
  withData(retention.command('rm').argument('<name>', 'policy name').description('remove a policy')).action(retentionRm);
  withData(
    retention
      .command('run')
      .description('run every policy now: remove the tags (and with untagged, manifests) no policy keeps')
      .option('--dry-run', 'say what would go, remove nothing')
      .option('--json', 'print the report as JSON'),
  ).action(retentionRun);
}

/** `berth retention add NAME --repos GLOB [...]`. */
export async function retentionAdd(name: string, opts: RetentionAddOptions): Promise<void> {
  const policy: RetentionPolicy = { name, repos: opts.repos };
  if (opts.keepLast !== undefined) {
    if (!/^\d{1,7}$/.test(opts.keepLast)) throw new CliError(`--keep-last: "${opts.keepLast}" is not a whole number (0 or more)`);
    policy.keepLast = Number(opts.keepLast);
  }
  if (opts.keepNewerThan !== undefined) policy.keepNewerThan = opts.keepNewerThan;
  if (opts.keepTags?.length) policy.keepTags = opts.keepTags;
  if (opts.untagged) policy.untagged = true;
  const listing = await invokeCore(opts, 'retention:add', { policy, force: opts.force === true });
  const added = listing.policies.find((p) => p.name === name);
  process.stdout.write(`added retention policy ${name} to ${listing.file}${added ? `: keeps ${count(added.keptCount, 'tag')} now` : ''}\n`);
}

/** `berth retention rm NAME`. */
export async function retentionRm(name: string, opts: DataOptions): Promise<void> {
  const listing = await invokeCore(opts, 'retention:remove', { name });
  process.stdout.write(`removed retention policy ${name}; ${count(listing.policies.length, 'policy', 'policies')} left\n`);
}

/** `berth retention list [--json]`. */
export async function retentionList(opts: RetentionOutputOptions): Promise<void> {
  const listing = await invokeCore(opts, 'retention:list', undefined);
  process.stdout.write(opts.json ? JSON.stringify(listing, null, 2) + '\n' : formatListing(listing));
}

/** `berth retention run [--dry-run] [--json]`. */
export async function retentionRun(opts: RetentionOutputOptions): Promise<void> {
  const report = await invokeCore(opts, 'retention:run', { dryRun: opts.dryRun === true });
  process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
  if (report.errors.length > 0 && !opts.json) process.exitCode = 1;
}

const REASONS: Record<string, string> = { last: 'among the last', newer: 'pushed recently', pattern: 'matches a pattern', 'no-keep-rule': 'policy keeps every tag' };

/** The human listing: the schedule, then each policy with what it keeps and why. */
export function formatListing(l: RetentionListing): string {
  const lines = [`Policies in ${l.file}`, `Schedule: ${l.schedule ?? 'none (runs only on demand)'}${l.nextRun ? `; next run ${l.nextRun}` : ''}${l.running ? '; a run is going on' : ''}`];
  if (l.lastRun) lines.push(`Last run: ${l.lastRun.startedAt} (${l.lastRun.trigger}): removed ${count(l.lastRun.tags.length, 'tag')}, ${count(l.lastRun.manifests.length, 'manifest')}, ${count(l.lastRun.errors.length, 'error')}`);
  if (l.policies.length === 0) lines.push('No policies: nothing is removed.');
  for (const p of l.policies) {
    const keeps = [
      p.keepLast !== undefined ? `the last ${p.keepLast}` : null,
      p.keepNewerThan !== undefined ? `pushed within ${p.keepNewerThan}` : null,
      p.keepTags?.length ? `matching ${p.keepTags.map((t) => JSON.stringify(t)).join(' or ')}` : null,
    ].filter(Boolean);
    lines.push('');
    lines.push(`${p.name}: repos ${p.repos} (${count(p.repositories, 'repository', 'repositories')}); keeps ${keeps.length ? keeps.join(', ') : 'every tag'}${p.untagged ? '; removes untagged manifests' : ''}`);
    lines.push(`  keeps ${count(p.keptCount, 'tag')} now${p.kept.length < p.keptCount ? ` (first ${p.kept.length} listed)` : ''}`);
    for (const k of p.kept) lines.push(`  ${k.repository}:${k.tag}  ${k.reasons.map((r) => REASONS[r] ?? r).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

/** The human report: every tag and manifest that goes (or would go), the bytes, and errors. */
export function formatReport(r: RetentionReport): string {
  const verb = r.dryRun ? 'Would remove' : 'Removed';
  const lines = [`${verb} ${count(r.tags.length, 'tag')} and ${count(r.manifests.length, 'untagged manifest')}${r.dryRun ? ' (dry run: nothing removed)' : ' (into the trash)'}`];
  for (const t of r.tags) lines.push(`  ${t.repository}:${t.tag}  ${t.digest}  (${t.policies.join(', ')})`);
  for (const m of r.manifests) lines.push(`  ${m.repository}@${m.digest}  (${m.policies.join(', ')})`);
  lines.push(`Frees ${formatBytes(r.bytesFreed)} (${r.bytesFreed} bytes) once out of the trash and \`berth gc\` runs`);
  if (r.bytesLeftUntagged > 0) lines.push(`${formatBytes(r.bytesLeftUntagged)} (${r.bytesLeftUntagged} bytes) more stay held by untagged manifests (\`berth gc --delete-untagged\`)`);
  for (const e of r.errors) lines.push(`error: ${e.repository}${e.tag ? `:${e.tag}` : ''}${e.digest && !e.tag ? `@${e.digest}` : ''}: ${e.message}`);
  return lines.join('\n') + '\n';
}
