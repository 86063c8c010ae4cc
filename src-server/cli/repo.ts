/**
 * `berth repo rm NAME`: deletes a repository through the running `berth serve` (or in-process when
 * none runs). Its blobs stay until `berth gc` finds them unreferenced.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
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
    .description('delete a repository: its tags and manifests; `berth gc` then frees the space')
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
  process.stdout.write(
    `deleted repository ${name}: ${r.tags} tag${r.tags === 1 ? '' : 's'}, ${r.manifests} manifest${r.manifests === 1 ? '' : 's'}; ` +
      'run `berth gc` to free the space\n',
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
