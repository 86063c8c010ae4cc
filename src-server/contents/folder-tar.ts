/**
 * A folder of a merged image as a tar stream: folders first, then the files layer by layer as their
 * layers stream, then links. Device files and FIFOs are left out. Entry names are relative to the
 * folder's parent (downloading `etc` gives `etc/...`), so unpacking it recreates the folder.
 */
import { PassThrough, type Readable } from 'node:stream';
import { Header, Pax } from 'tar';
import type { FileEntry } from '../contract/contents';
import type { ResolvedImage } from './image-resolve';
import { streamBodies, type BodyOptions } from './layer-bodies';

const BLOCK = 512;
const TAR_TYPE: Partial<Record<FileEntry['type'], 'File' | 'Directory' | 'SymbolicLink' | 'Link'>> = {
  file: 'File',
  dir: 'Directory',
  symlink: 'SymbolicLink',
  hardlink: 'Link',
};

/** The tar stream of `entries` (the folder and what is under it, final versions), named from `root`'s parent. */
export function folderTar(image: ResolvedImage, root: string, entries: readonly FileEntry[], opts: BodyOptions = {}): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const base = root.includes('/') ? root.slice(0, root.lastIndexOf('/') + 1) : '';
  const name = (p: string) => p.slice(base.length);
  const kept = entries.filter((e) => TAR_TYPE[e.type]);
  const included = new Set(kept.map((e) => e.path));
  // Closing the stream (a download the client dropped) stops the layer reads too.
  const stop = new AbortController();
  out.once('close', () => stop.abort());
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (out.destroyed) return reject(new Error('the tar stream was closed'));
      if (out.write(chunk)) return resolve();
      const drained = () => (out.off('close', closed), resolve());
      const closed = () => (out.off('drain', drained), reject(new Error('the tar stream was closed')));
      out.once('drain', drained);
      out.once('close', closed);
    });
  const header = (e: FileEntry, linkTarget?: string) => headerBlocks({ path: name(e.path) + (e.type === 'dir' ? '/' : ''), type: TAR_TYPE[e.type]!, mode: e.mode, uid: e.uid, gid: e.gid, size: e.type === 'file' ? e.size : 0, linkpath: linkTarget });

  const run = async () => {
    for (const e of kept) if (e.type === 'dir') await write(header(e));
    await streamBodies(
      image,
      kept,
      async (entry, body) => {
        await write(header(entry));
        let n = 0;
        for await (const chunk of body as AsyncIterable<Buffer>) {
          n += chunk.length;
          await write(chunk);
        }
        if (n !== entry.size) throw new Error(`${entry.path}: the layer gave ${n} bytes, the listing said ${entry.size}`);
        const pad = (BLOCK - (n % BLOCK)) % BLOCK;
        if (pad) await write(Buffer.alloc(pad));
      },
      { ...opts, signal },
    );
    for (const e of kept) {
      if (e.type === 'symlink') await write(header(e, e.link ?? ''));
      // A hardlink is only kept when its target is in the tar too.
      else if (e.type === 'hardlink' && e.link && included.has(e.link)) await write(header(e, name(e.link)));
    }
    await write(Buffer.alloc(BLOCK * 2));
    out.end();
  };
  run().catch((err: unknown) => out.destroy(err as Error));
  return out;
}

/** A tar header (with a pax header before it when a name or number does not fit ustar). */
function headerBlocks(data: { path: string; type: 'File' | 'Directory' | 'SymbolicLink' | 'Link'; mode: number; uid: number; gid: number; size: number; linkpath?: string }): Buffer {
  const mtime = new Date(0);
  const h = new Header({ ...data, mtime });
  const block = Buffer.alloc(BLOCK);
  h.encode(block, 0);
  if (!h.needPax) return block;
  const pax = new Pax({ path: data.path, linkpath: data.linkpath, size: data.size, uid: data.uid, gid: data.gid, mtime });
  return Buffer.concat([pax.encode(), block]);
}
