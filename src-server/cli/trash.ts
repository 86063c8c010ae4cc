/**
 * `berth trash list|restore|empty`: the trash of the local registry (issue 19), through the running
 * `berth serve` (or in-process when none runs), like `berth repo rm`.
 */
import type { Command } from 'commander';
import type { TrashEmptyArgs, TrashItem, TrashListing } from '../contract';
import { formatLongDuration, parseLongDuration } from '../core/long-duration';
import { invokeCore, type DataOptions } from './control-client';
import { CliError } from './errors';
import { count, formatBytes } from './format';
import { formatTable, shortDigest } from './usage';

/** Options of `berth trash list`. */
export interface TrashListOptions extends DataOptions {
  json?: boolean;
}

/** Options of `berth trash empty`. */
export interface TrashEmptyOptions extends DataOptions {
  olderThan?: string;
  json?: boolean;
}

/** Adds `berth trash ...` to the program. */
export function registerTrashCommands(program: Command, dataHelp: string): void {
  const trash = program
    .command('trash')
    .description('deleted tags and manifests, restorable until trash.keep (default 7d) has passed; GC frees nothing they need meanwhile');
  const data = (c: Command) => c.option('--data <dir>', dataHelp).option('--config <file>', 'config file to take the data directory from');
  data(trash.command('list').description('list the trash, newest first, with the bytes each item holds back from GC').option('--json', 'print the listing as JSON')).action(
    trashList,
  );
  data(
    trash
      .command('restore')
      .argument('<reference>', 'REPO:TAG (the newest item holding that tag) or REPO@DIGEST')
      .description('put a deleted tag or manifest back, whole (even after a GC)')
      .option('--json', 'print the result as JSON'),
  ).action(trashRestore);
  data(
    trash
      .command('empty')
      .description('remove items from the trash for good; a GC then frees what only they held')
      .option('--older-than <duration>', 'only items deleted longer ago than this, e.g. 3d, 12h, 2w')
      .option('--json', 'print the result as JSON'),
  ).action(trashEmpty);
}

/** `berth trash list [--json]`. */
export async function trashList(opts: TrashListOptions): Promise<void> {
  const listing = await invokeCore(opts, 'trash:list', undefined);
  process.stdout.write(opts.json ? JSON.stringify(listing, null, 2) + '\n' : formatTrash(listing, new Date()));
}

/** `berth trash restore REPO:TAG|REPO@DIGEST`. */
export async function trashRestore(reference: string, opts: TrashListOptions): Promise<void> {
  const r = await invokeCore(opts, 'trash:restore', { reference });
  if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  const tags = r.restoredTags.length ? r.restoredTags.map((t) => `${r.repository}:${t}`).join(', ') : `${r.repository}@${r.digest} (untagged)`;
  const relinked = r.relinkedManifests ? `; ${count(r.relinkedManifests, 'manifest')} linked back` : '';
  process.stdout.write(`restored ${tags} at ${shortDigest(r.digest)}${relinked}\n`);
}

/** `berth trash empty [--older-than DURATION]`. */
export async function trashEmpty(opts: TrashEmptyOptions): Promise<void> {
  const args: TrashEmptyArgs = {};
  if (opts.olderThan !== undefined) {
    const ms = parseLongDuration(opts.olderThan);
    if (ms === null) throw new CliError(`--older-than: "${opts.olderThan}" is not a duration (e.g. 12h, 3d, 2w)`);
    args.olderThanSeconds = Math.floor(ms / 1000);
  }
  const r = await invokeCore(opts, 'trash:empty', args);
  if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  process.stdout.write(
    `removed ${count(r.removed, 'item')} from the trash` +
      (r.heldBytes > 0 ? `; \`berth gc --delete-untagged\` can now free ${formatBytes(r.heldBytes)}\n` : '\n'),
  );
}

/** The human listing: a table newest first, then the totals. */
export function formatTrash(listing: TrashListing, now: Date): string {
  const keep = `items stay ${formatLongDuration(listing.keepSeconds * 1000)} (trash.keep)`;
  if (!listing.items.length) return `the trash is empty; ${keep}\n`;
  const rows = listing.items.map((i) => [
    reference(i),
    i.kind,
    ago(Date.parse(i.deletedAt), now.getTime()),
    until(Date.parse(i.expiresAt), now.getTime()),
    i.source + (i.by ? `/${i.by}` : '') + (i.policy ? ` (${i.policy})` : ''),
    formatBytes(i.heldBytes),
  ]);
  const table = formatTable(['REFERENCE', 'KIND', 'DELETED', 'EXPIRES', 'SOURCE/BY', 'HELD'], rows, 'llllllr');
  const t = listing.totals;
  return `${table}\n\n${count(t.items, 'item')}, ${formatBytes(t.bytes)} in all; ${formatBytes(t.heldBytes)} held back from GC only by the trash; ${keep}\n`;
}

/** `repo:tag` for a tag item, `repo:a,b@sha…` for a manifest with tags, `repo@sha256:…` without. */
function reference(i: TrashItem): string {
  const at = `@${shortDigest(i.digest)}`;
  if (i.kind === 'tag') return `${i.repository}:${i.tags[0]}`;
  return i.tags.length ? `${i.repository}:${i.tags.join(',')}${at}` : `${i.repository}${at}`;
}

/** A duration in whole seconds under a minute, else in whole minutes down (`6d23h59m` shown `6d23h`). */
function span(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : formatLongDuration(Math.floor(s / 60) * 60_000).replace(/(\d+[wdh])\d+m$/, '$1');
}

function ago(at: number, now: number): string {
  return `${span(now - at)} ago`;
}

function until(at: number, now: number): string {
  return at <= now ? 'now' : `in ${span(at - now)}`;
}
