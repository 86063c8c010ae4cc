/** `berth diff REF1 REF2`: files, config and layers that differ between two images. */
import type { Command } from 'commander';
import { formatDiff } from './contents-format';
import { addContentsOptions, printResult, withContents, type ContentsCommandOptions, type ContentsServiceFactory } from './contents-options';

/** Adds `berth diff` to the program. */
export function registerDiffCommand(program: Command, dataHelp: string, makeService: ContentsServiceFactory): void {
  addContentsOptions(
    program
      .command('diff')
      .argument('<ref1>', 'the left image (see REF forms below)')
      .argument('<ref2>', 'the right image')
      .description('show files added, removed and changed, config changes, layers shared and not, and the size delta between two images'),
    dataHelp,
  ).action((left: string, right: string, opts: ContentsCommandOptions) => diff(left, right, opts, makeService));
}

/** `berth diff`. */
export async function diff(left: string, right: string, opts: ContentsCommandOptions, makeService: ContentsServiceFactory): Promise<void> {
  await withContents([left, right], opts, makeService, async (service, { images }, signal) => {
    printResult(await service.diff(images[0]!, images[1]!, { signal }), opts.json, formatDiff);
  });
}
