/** `berth extract REF PATH... --out DIR`: files and folders of an image's merged filesystem, written under DIR. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatExtract } from './contents-format';
import { addContentsOptions, printResult, withContents, type ContentsCommandOptions, type ContentsServiceFactory } from './contents-options';
import { CliError } from './errors';

/** Options of `berth extract`. */
export interface ExtractOptions extends ContentsCommandOptions {
  out: string;
}

/** Adds `berth extract` to the program. */
export function registerExtractCommand(program: Command, dataHelp: string, makeService: ContentsServiceFactory): void {
  addContentsOptions(
    program
      .command('extract')
      .argument('<ref>', 'the image (see REF forms below)')
      .argument('<paths...>', 'files or folders of the image, e.g. /etc/os-release /usr/share')
      .requiredOption('--out <dir>', 'where to write them (created if missing); nothing is written outside it')
      .description('write files or folders of an image under a folder, keeping modes and symlinks'),
    dataHelp,
  ).action((ref: string, paths: string[], opts: ExtractOptions) => extract(ref, paths, opts, makeService));
}

/** `berth extract`. */
export async function extract(ref: string, paths: string[], opts: ExtractOptions, makeService: ContentsServiceFactory): Promise<void> {
  const out = resolve(opts.out);
  try {
    mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new CliError(`--out ${opts.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  await withContents([ref], opts, makeService, async (service, { images }, signal) => {
    const report = await service.extract(images[0]!, paths, out, { signal });
    printResult({ out, ...report }, opts.json, (r) => formatExtract(r, out));
  });
}
