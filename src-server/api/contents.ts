/**
 * Handlers of the image contents channels (`contents:files`, `contents:layers`, `contents:preview`,
 * `contents:diff`) and the download the HTTP bridge streams: each resolves its connection to the
 * connection manager's source, reads the repository through it, and leaves the work to the
 * ContentsService. Payload checks are in args-contents.ts.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RegistrySource } from '../browse/source';
import type { ContentsPathArgs, ContentsRef } from '../contract';
import { repositoryReader } from '../contents/source-reader';
import type { ContentsDownload, ContentsService, ImageAt } from '../contents/types';
import type { ContentsChannel } from './args-contents';
import { ArgsError } from './args-kit';
import type { CoreHandler } from './handler-types';

export { CONTENTS_CHECKS, type ContentsChannel } from './args-contents';

/** The channels of this area, at run time. */
export const CONTENTS_CHANNELS: readonly ContentsChannel[] = ['contents:files', 'contents:layers', 'contents:preview', 'contents:diff', 'contents:save'];

/** What the contents handlers work on. */
export interface ContentsDeps {
  service: ContentsService;
  /** A connection's source (the connection manager's). */
  source: (connection: string) => Promise<RegistrySource>;
}

/** Streams a file, or a folder as a tar, of an image; `signal` aborts the layer reads. */
export type ContentsDownloader = (args: ContentsPathArgs, signal: AbortSignal) => Promise<ContentsDownload>;

/** The image a ContentsRef names, as the service takes it. */
async function imageAt(deps: ContentsDeps, ref: ContentsRef): Promise<ImageAt> {
  const source = await deps.source(ref.connection);
  return { reader: repositoryReader(source, ref.repository), reference: ref.reference, platform: ref.platform };
}

/** Builds the handlers of the contents channels. */
export function createContentsHandlers(deps: ContentsDeps): { [C in ContentsChannel]: CoreHandler<C> } {
  return {
    'contents:files': async (args) => deps.service.files(await imageAt(deps, args), args.path ? { path: args.path } : {}),
    'contents:layers': async (args) => deps.service.layers(await imageAt(deps, args)),
    'contents:preview': async (args) => deps.service.preview(await imageAt(deps, args), args.path),
    'contents:diff': async (args) => {
      const [left, right] = await Promise.all([imageAt(deps, args.left), imageAt(deps, args.right)]);
      return deps.service.diff(left, right);
    },
    'contents:save': async (args) => {
      if (!args.to) throw new ArgsError('to is missing: the desktop asks where to save before it calls contents:save');
      const dl = await deps.service.download(await imageAt(deps, args), args.path);
      return { path: args.to, bytes: await saveAtomically(dl.stream, args.to) };
    },
  };
}

/** Writes `stream` to `to` through a temporary file beside it, renamed once complete: never a half file under its name. */
async function saveAtomically(stream: NodeJS.ReadableStream, to: string): Promise<number> {
  const temp = join(dirname(to), `.berth-save-${randomBytes(6).toString('hex')}.partial`);
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, count, createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
    await rename(temp, to);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return bytes;
}

/** The download the bridge serves, over the same service and sources as the channels. */
export function createContentsDownloader(deps: ContentsDeps): ContentsDownloader {
  return async (args, signal) => deps.service.download(await imageAt(deps, args), args.path, { signal });
}
