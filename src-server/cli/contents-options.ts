/**
 * What `berth files`, `berth extract` and `berth diff` share: their options (data directory,
 * platform, remote credentials and TLS as skopeo spells them) and how a command gets the contents
 * service (passed in, so the commands stay testable and the service is built in one place).
 */
import type { Command } from 'commander';
import type { ContentsService } from '../contents/types';
import type { Logger } from '../logger';
import { withImages, type OpenedImages, type ReaderOptions } from './contents-readers';
import { CliError } from './errors';

/** Builds the contents service over a listing cache file (or none). */
export type ContentsServiceFactory = (opts: { cachePath: string | null; log?: Logger }) => ContentsService & { close(): void };

/** Options of every contents command. */
export interface ContentsCommandOptions extends ReaderOptions {
  json?: boolean;
}

export const REF_HELP = `
REF forms:
  repo[:tag] | repo@digest            the local registry (tag latest when none is given)
  HOST[:PORT]/repo[:tag] | ...@digest a remote registry (the host has a . or :, or is localhost):
                                      the saved connection for HOST, else --creds, else anonymous
  oci:DIR[:TAG]                       an OCI image layout folder
A multi-arch image needs --platform unless one of its platforms is this machine's.`;

/** Adds the shared options to a contents command. */
export function addContentsOptions(cmd: Command, dataHelp: string): Command {
  return cmd
    .option('--platform <os/arch[/variant]>', 'the platform of a multi-arch image, e.g. linux/arm64')
    .option('--json', 'print the result as JSON')
    .option('--creds <user:pass>', 'credentials for a remote registry without a saved connection')
    .option('--tls-verify <bool>', 'verify a remote registry\'s certificate (default true); false also allows plain http')
    .option('--ca <file>', 'trust this CA (PEM) for a remote registry')
    .option('--data <dir>', dataHelp)
    .option('--config <file>', 'config file to take the data directory from')
    .addHelpText('after', REF_HELP);
}

/**
 * Opens the images and the service, runs `fn`, and closes both. Ctrl-C aborts `signal`, so that
 * downloads stop and an extraction ends between files rather than in the middle of one.
 */
export async function withContents<T>(
  refs: string[],
  opts: ContentsCommandOptions,
  makeService: ContentsServiceFactory,
  fn: (service: ContentsService, opened: OpenedImages, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ac = new AbortController();
  const interrupt = () => ac.abort(new CliError('interrupted'));
  process.once('SIGINT', interrupt);
  try {
    return await withImages(refs, opts, async (opened) => {
      const service = openService(makeService, opened.cachePath);
      try {
        return await fn(service, opened, ac.signal);
      } finally {
        service.close();
      }
    });
  } finally {
    process.off('SIGINT', interrupt);
  }
}

/** Prints a result as JSON or as text. */
export function printResult<T>(result: T, json: boolean | undefined, text: (r: T) => string): void {
  process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : text(result));
}

/** The service over the cache file; without a cache (and a warning) when the file cannot be opened. */
function openService(makeService: ContentsServiceFactory, cachePath: string | null): ContentsService & { close(): void } {
  if (cachePath === null) return makeService({ cachePath });
  try {
    return makeService({ cachePath });
  } catch (err) {
    process.stderr.write(`berth: warning: layer listings are not cached (${cachePath}: ${(err as Error).message})\n`);
    return makeService({ cachePath: null });
  }
}
