/**
 * Walks a layer's tar entry by entry, streaming: the blob is decompressed (decompress.ts), parsed
 * by the tar package's Parser (pax and GNU long names included), and each entry is checked
 * (entry-checks.ts) before the visitor sees it. A file's content reaches the visitor as a Readable
 * whose backpressure goes all the way to the blob: nothing reads ahead of the slowest consumer by
 * more than a chunk at each stage.
 */
import { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import type { SourceBlob } from '../browse/source';
import { layerTar, sniffCompression } from './decompress';
import { classifyEntry, shownPath, type WalkItem } from './entry-checks';
import { ExpansionMeter, layerLimits, type LayerLimits } from './limits';
import { LayerError, type LayerDescriptor } from './types';

export type { WalkItem } from './entry-checks';

/** What the visitor wants next: nothing (go on) or `'stop'` (end the walk now). */
export type VisitResult = void | 'stop';

/**
 * Sees each item in order. `body` is a regular file's content (null for anything else): read it,
 * pipe it, or ignore it; what is still unread once the visitor's result settles is discarded. The
 * walk goes on reading the layer while a returned promise is pending (so the visitor may await
 * the end of `body`), but visits the next item only after it settles.
 */
export type LayerVisitor = (item: WalkItem, body: Readable | null) => VisitResult | Promise<VisitResult>;

/** Options of {@link walkLayer}. */
export interface WalkOptions {
  /** Bomb limits (defaults: DEFAULT_LAYER_LIMITS). */
  limits?: Partial<LayerLimits>;
  /** Aborts the walk (and the blob's read). */
  signal?: AbortSignal;
}

/** What a walk saw. */
export interface WalkResult {
  /** Bytes of uncompressed tar read (all of it, unless stopped). */
  uncompressedSize: number;
  /** Entries skipped or doubtful, in words. */
  warnings: string[];
  /** Tar entries seen (whiteout markers and skipped entries included, pax headers not). */
  entries: number;
  /** True when the visitor stopped the walk: the rest was not read and the digest not checked. */
  stopped: boolean;
}

/** Bytes a file's body holds before it stops pulling from the tar. */
const BODY_BUFFER = 256 * 1024;

/** A file's content as a Readable: pulls from the parser's entry only as fast as it is read. */
class EntryBody extends Readable {
  private detached = false;

  constructor(private readonly entry: ReadEntry) {
    super({ highWaterMark: BODY_BUFFER });
    entry.on('data', (chunk: Buffer) => {
      if (!this.detached && !this.push(chunk)) entry.pause();
    });
    entry.on('end', () => {
      if (!this.detached) this.push(null);
    });
  }

  override _read(): void {
    this.entry.resume();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // The rest of the entry still has to pass for the parser to reach the next one, but not
    // before a visitor that ends the walk on this (openLayerFile) has had its turn to stop it.
    this.detached = true;
    setImmediate(() => this.entry.resume());
    callback(err);
  }

  /** True when someone reads it (flowing, piped, or listening for `readable`). */
  hasReader(): boolean {
    return this.readableFlowing === true || this.listenerCount('readable') > 0;
  }
}

/** The state of one walk: the parser, the ordered queue of entries, and who waits for what. */
class Walk {
  readonly warnings: string[] = [];
  entries = 0;
  tarBytes = 0;
  eof = false;
  ended = false;
  stopped = false;
  failure: unknown = undefined;
  drained = true;
  readonly parser: Parser;
  private pending = 0;
  private chain: Promise<void> = Promise.resolve();
  private body: EntryBody | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly layer: LayerDescriptor,
    private readonly visit: LayerVisitor,
    private readonly limits: LayerLimits,
  ) {
    this.parser = new Parser({ zstd: false, onwarn: (code: string, message: string) => this.onWarn(code, message) });
    this.parser.on('entry', (e: ReadEntry) => this.onEntry(e));
    this.parser.on('ignoredEntry', (e: ReadEntry) => this.onIgnored(e));
    this.parser.on('drain', () => this.wake(() => (this.drained = true)));
    this.parser.on('eof', () => this.wake(() => (this.eof = true)));
    this.parser.on('end', () => this.wake(() => (this.ended = true)));
    this.parser.on('error', (err: Error) => this.fail(this.corrupt(err.message)));
  }

  get done(): boolean {
    return this.stopped || this.failure !== undefined;
  }

  /** Feeds a chunk of tar to the parser, and waits until it can take the next. */
  async write(chunk: Buffer): Promise<void> {
    if (this.tarBytes === 0 && sniffCompression(chunk) !== 'none' && chunk.length >= 4) {
      throw this.corrupt('its tar is compressed a second time');
    }
    this.tarBytes += chunk.length;
    this.drained = false;
    if (this.parser.write(chunk)) this.drained = true;
    // Entries with no body are queued without the parser waiting: keep that queue short.
    await this.until(() => (this.drained && this.pending < 256) || this.eof);
  }

  /** The tar ended: lets the parser finish and the queue run out. */
  async finish(): Promise<void> {
    if (!this.eof) {
      if (this.tarBytes % 512 !== 0) throw this.corrupt('its tar ends inside a block (truncated)');
      this.parser.end();
      await this.until(() => this.ended || this.eof);
    }
    await this.until(() => this.pending === 0);
  }

  /** Ends the walk with an error: the body being read gets it too. */
  fail(err: unknown): void {
    if (this.done) return;
    this.wake(() => (this.failure = err));
    // A body nobody listens to for errors is closed quietly: an unheard 'error' would crash the process.
    const body = this.body;
    if (body && body.listenerCount('error') > 0) body.destroy(err instanceof Error ? err : new Error(String(err)));
    else body?.destroy();
  }

  private stop(): void {
    this.wake(() => (this.stopped = true));
    this.body?.destroy();
  }

  private corrupt(why: string): LayerError {
    return new LayerError('CORRUPT', `layer ${this.layer.digest} is corrupt: ${why}`);
  }

  /** Changes the state and lets every waiter look again. */
  private wake(change: () => void): void {
    change();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once `ready()` holds; throws the walk's failure, returns at a stop. */
  private async until(ready: () => boolean): Promise<void> {
    while (!this.done && !ready()) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  private countEntry(): void {
    if (++this.entries > this.limits.maxEntries) {
      throw new LayerError('TOO_LARGE', `layer ${this.layer.digest} has more than ${this.limits.maxEntries} entries: read stopped`);
    }
  }

  private onWarn(code: string, message: string): void {
    if (code === 'TAR_ENTRY_INVALID' && /checksum/.test(message)) this.fail(this.corrupt('a tar header fails its checksum'));
    else if (code === 'TAR_BAD_ARCHIVE' && /Truncated/.test(message)) this.fail(this.corrupt(`its tar is truncated: ${message}`));
    else if (code === 'TAR_BAD_ARCHIVE') {
      // The parser says this of an archive with no entry; an empty layer (or only the end marker) is fine.
      if (this.entries === 0 && !this.eof && this.tarBytes > 0) this.fail(this.corrupt('it is not a tar archive'));
    } else {
      try {
        this.countEntry();
        this.warnings.push(`an entry skipped: ${message}`);
      } catch (err) {
        this.fail(err);
      }
    }
  }

  private onIgnored(e: ReadEntry): void {
    try {
      if (e.meta) this.warnings.push(`a tar extended header of ${e.size} bytes skipped: longer than Berth reads`);
      else {
        this.countEntry();
        this.warnings.push(`${shownPath(String(e.path))} skipped: its tar type ${e.type} is not one Berth lists`);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private onEntry(e: ReadEntry): void {
    try {
      this.countEntry();
    } catch (err) {
      e.resume();
      return this.fail(err);
    }
    this.pending++;
    this.chain = this.chain
      .then(() => this.handle(e))
      .catch((err: unknown) => this.fail(err))
      .finally(() => this.wake(() => this.pending--));
  }

  /** Classifies one entry, shows it to the visitor, discards what it left unread. */
  private async handle(e: ReadEntry): Promise<void> {
    if (this.done) return void e.resume();
    const c = classifyEntry(e);
    if (c.warning) this.warnings.push(c.warning);
    if (!c.item) return void e.resume();
    const body = c.item.kind === 'entry' && c.item.entry.type === 'file' ? new EntryBody(e) : null;
    if (!body) e.resume();
    this.body = body;
    const result = await this.visit(c.item, body);
    if (body && !body.destroyed && !body.hasReader()) body.resume();
    if (result === 'stop') this.stop();
  }
}

/**
 * Walks a layer: calls `visit` for each entry in tar order (files, folders, links, devices, FIFOs,
 * then whiteouts and opaque folders as their own items), skipping hostile entries with a warning.
 * Throws LayerError: UNSUPPORTED (foreign layer), CORRUPT, TOO_LARGE, DIGEST_MISMATCH (checked
 * once the whole blob was read). When the visitor returns `'stop'`, the walk ends at once: the
 * blob's read is cancelled, the rest of the layer is not read, and its digest is NOT verified.
 */
export async function walkLayer(blob: SourceBlob, layer: LayerDescriptor, visit: LayerVisitor, opts: WalkOptions = {}): Promise<WalkResult> {
  const limits = layerLimits(opts.limits);
  const meter = new ExpansionMeter(limits, layer.digest);
  const walk = new Walk(layer, visit, limits);
  const onAbort = () => walk.fail(opts.signal?.reason ?? new Error('aborted'));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of layerTar(blob, layer, meter, opts.signal)) {
      // After the end-of-archive marker the rest is only counted and hashed, never parsed.
      if (!walk.eof) await walk.write(chunk);
      if (walk.done) break;
    }
    if (!walk.done) await walk.finish();
  } catch (err) {
    walk.fail(err);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (walk.failure !== undefined) throw walk.failure;
  return { uncompressedSize: meter.uncompressed, warnings: walk.warnings, entries: walk.entries, stopped: walk.stopped };
}
