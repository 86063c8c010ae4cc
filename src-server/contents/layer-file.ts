/**
 * One file's bytes out of a layer: the layer is streamed again up to that entry, its content is
 * handed out as a Readable, and the blob's read stops right after it. Backpressure holds all the
 * way to the blob: a slow reader slows the download, it does not fill memory.
 */
import { createHash } from 'node:crypto';
import { Transform, pipeline, type Readable } from 'node:stream';
import type { SourceBlob } from '../browse/source';
import { checkPath } from './entry-checks';
import { walkLayer, type WalkItem, type WalkOptions } from './layer-walk';
import { LayerError, type LayerDescriptor } from './types';

/** A file's content, streaming. */
export interface LayerFile {
  size: number;
  stream: Readable;
}

/** Options of {@link openLayerFile}. */
export interface LayerFileOptions extends WalkOptions {
  /** `sha256:<hex>` the content must have (from the layer's listing): checked at its end. */
  digest?: string;
  /** Which entry with that path to serve, from 1 (the listing's `repeated` count: its last). */
  occurrence?: number;
}

/** Resolves when a stream has ended or was destroyed, whichever comes first. */
function settled(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}

/** Passes bytes through and fails at their end when they do not hash to `digest`. */
function verifying(digest: string, path: string, layer: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const got = `sha256:${hash.digest('hex')}`;
      done(got === digest ? null : new LayerError('DIGEST_MISMATCH', `${path} in layer ${layer} is not the file its listing describes (${got})`));
    },
  });
}

/**
 * Opens the regular file at `path` (normalized like a tar path) in a layer, or resolves null when
 * the layer has no such regular file (then the whole layer was read and its digest checked).
 * The first entry with that path (or the `occurrence`-th) is served; the walk then stops, so the layer's digest is not
 * checked: pass the listing's `digest` to have the content checked instead. Destroying the stream
 * ends the read of the blob. Errors of the layer after the file was found reach the stream.
 */
export function openLayerFile(blob: SourceBlob, layer: LayerDescriptor, path: string, opts: LayerFileOptions = {}): Promise<LayerFile | null> {
  const want = checkPath(path);
  if (!want.ok) {
    return blob.cancel().then(() => null);
  }
  return new Promise<LayerFile | null>((resolve, reject) => {
    let found = false;
    let seen = 0;
    const visit = (item: WalkItem, body: Readable | null) => {
      if (found || !body || item.kind !== 'entry' || item.entry.path !== want.path) return;
      if (++seen < (opts.occurrence ?? 1)) return;
      found = true;
      let stream: Readable = body;
      if (opts.digest) {
        stream = pipeline(body, verifying(opts.digest, want.path, layer.digest), () => {});
      }
      resolve({ size: item.entry.size, stream });
      // The walk reads on while the consumer reads the body, and stops once it is done.
      return settled(stream).then(() => 'stop' as const);
    };
    walkLayer(blob, layer, visit, opts).then(
      () => {
        if (!found) resolve(null);
      },
      (err: unknown) => {
        if (!found) reject(err);
      },
    );
  });
}
