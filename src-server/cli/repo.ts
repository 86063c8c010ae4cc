/**
 * `berth repo rm NAME`: deletes a repository through the running `berth serve` (or in-process when
 * none runs). It goes to the trash first (restorable with `berth trash restore` until trash.keep
 * has passed); its blobs stay until the trash lets go and `berth gc` finds them unreferenced.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { formatLongDuration } from '../core/long-duration';
import { invokeCore, type DataOptions } from './control-client';
import { CliError } from './errors';

/** Options of `berth repo rm`. */
export interface RepoRmOptions extends DataOptions {
  yes?: boolean;
}

/** Adds `berth repo ...` to the program. */
export function registerRepoCommands(program: Command, dataHelp: string): void {
  const repo = program.command('repo').description('manage repositories of the local registry');
  repo
    .command('rm')
    .argument('<name>', 'repository, e.g. team/app')
    .description('delete a repository: its tags and manifests go to the trash; `berth gc` frees the space once the trash lets go')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--data <dir>', dataHelp)
    .option('--config <file>', 'config file to take the data directory from')
    .action(repoRm);
}

/** `berth repo rm NAME [--yes]`. */
export async function repoRm(name: string, opts: RepoRmOptions): Promise<void> {
  if (!opts.yes) {
    if (!process.stdin.isTTY) throw new CliError(`refusing to delete repository ${name} without --yes (stdin is not a terminal)`);
    if (!(await confirm(`Delete repository ${name} with all its tags and manifests? [y/N] `))) throw new CliError('cancelled');
  }
  const r = await invokeCore(opts, 'repository:delete', { name });
  const what = `deleted repository ${name}: ${r.tags} tag${r.tags === 1 ? '' : 's'}, ${r.manifests} manifest${r.manifests === 1 ? '' : 's'}`;
  const trash = await invokeCore(opts, 'trash:list', undefined);
  if (trash.keepSeconds === 0) return void process.stdout.write(`${what}; run \`berth gc\` to free the space (trash.keep is 0: no trash)\n`);
  const mine = trash.items.filter((i) => i.repository === name).map((i) => Date.parse(i.expiresAt));
  const until = mine.length ? new Date(Math.max(...mine)).toISOString().replace(/\.\d{3}Z$/, 'Z') : `${formatLongDuration(trash.keepSeconds * 1000)} from now`;
  process.stdout.write(
    `${what}.\nIt went to the trash: restore it with \`berth trash restore ${name}:TAG\` (see \`berth trash list\`) until ${until}; ` +
      '`berth gc` frees its space only after the trash lets go (or after `berth trash empty`)\n',
  );
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
