/** `berth files REF [PATH] [--layers]`: an image's merged filesystem, or each layer's changes. */
import type { Command } from 'commander';
import { formatFiles, formatLayers } from './contents-format';
import { addContentsOptions, printResult, withContents, type ContentsCommandOptions, type ContentsServiceFactory } from './contents-options';

/** Options of `berth files`. */
export interface FilesOptions extends ContentsCommandOptions {
  layers?: boolean;
}

/** Adds `berth files` to the program. */
export function registerFilesCommand(program: Command, dataHelp: string, makeService: ContentsServiceFactory): void {
  addContentsOptions(
    program
      .command('files')
      .argument('<ref>', 'the image (see REF forms below)')
      .argument('[path]', 'list only what is under this path')
      .description("list an image's files (path, type, size, mode, owner, link, the layer that wrote it), or with --layers each layer's changes")
      .option('--layers', "each layer's added, modified and deleted entries and the bytes it wastes"),
    dataHelp,
  ).action((ref: string, path: string | undefined, opts: FilesOptions) => files(ref, path, opts, makeService));
}

/** `berth files`. */
export async function files(ref: string, path: string | undefined, opts: FilesOptions, makeService: ContentsServiceFactory): Promise<void> {
  await withContents([ref], opts, makeService, async (service, { images }, signal) => {
    if (opts.layers) printResult(await service.layers(images[0]!, { signal }), opts.json, formatLayers);
    else printResult(await service.files(images[0]!, { path, signal }), opts.json, formatFiles);
  });
}
