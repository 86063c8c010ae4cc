/**
 * `GET /_berth/api/contents/download?connection=&repository=&reference=&platform=&path=&csrf=`:
 * a file of an image, or a folder as `<name>.tar`, streamed from its layers as the browser saves
 * it (the GUI's download link). The bridge has checked the session and the CSRF token before this
 * runs; here the query is checked as `contents:preview`'s payload and scoped like that channel, so
 * a user who may not pull the repository gets nothing. Failures before the first byte are the
 * bridge's JSON envelope with the code's HTTP status; a client that goes away cancels the layer read.
 */
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import { callRefusal, type CallerScope } from '../../api/caller-access';
import { contentsPathArgs } from '../../api/args-contents';
import { ArgsError } from '../../api/args-kit';
import type { ContentsDownloader } from '../../api/contents';
import { toApiError } from '../../api/errors';
import type { ApiError, ContentsPathArgs } from '../../contract';
import { ERROR_CODES } from '../../core/errors';
import type { Logger } from '../../logger';

/** The query parameters the route reads (csrf is the bridge's). */
const PARAMS = ['connection', 'repository', 'reference', 'platform', 'path'] as const;

/**
 * A file name safe in a Content-Disposition header and on any file system: letters, digits, `.`,
 * `_` and `-` kept, anything else `_`, no leading dot, at most 200 characters.
 */
export function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[.]+/, '')
    .slice(-200);
  return cleaned || 'download';
}

function statusOf(error: ApiError): number {
  const known = (ERROR_CODES as Record<string, { status: number } | undefined>)[error.code];
  return known?.status ?? 500;
}

function refuse(ctx: Context, status: number, error: ApiError): void {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify({ ok: false, error });
}

/** The query as the payload of a path call; repeated parameters are refused rather than guessed. */
function queryArgs(ctx: Context): ContentsPathArgs {
  const raw: Record<string, string> = {};
  for (const key of PARAMS) {
    const v = ctx.query[key];
    if (Array.isArray(v)) throw new ArgsError(`${key} is given more than once`);
    if (typeof v === 'string' && (key !== 'platform' || v !== '')) raw[key] = v;
  }
  return contentsPathArgs(raw);
}

/**
 * The stream's first chunk (null when it ends empty), read before any header is sent, so that a
 * failure found only once the layer is opened still gets its envelope and status, not a cut 200.
 */
function firstChunk(stream: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const done = () => {
      stream.off('readable', onReadable);
      stream.off('error', onError);
      stream.off('end', onEnd);
    };
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      if (chunk === null) return;
      done();
      resolve(chunk);
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onEnd = () => {
      done();
      resolve(null);
    };
    stream.on('readable', onReadable);
    stream.once('error', onError);
    stream.once('end', onEnd);
  });
}

/** `first` then the rest of `stream`, as one stream (destroying it destroys `stream`). */
function rejoined(first: Buffer | null, stream: Readable): Readable {
  return Readable.from(
    (async function* () {
      if (first) yield first;
      yield* stream;
    })(),
    { objectMode: false },
  );
}

/** Answers one download request for `scope` (undefined: every right). */
export async function serveContentsDownload(ctx: Context, download: ContentsDownloader, scope: CallerScope | undefined, log: Logger): Promise<void> {
  if (ctx.method !== 'GET') {
    ctx.set('Allow', 'GET');
    return refuse(ctx, 405, { code: 'UNSUPPORTED', message: 'download with GET' });
  }
  let args: ContentsPathArgs;
  try {
    args = queryArgs(ctx);
  } catch (err) {
    const error = toApiError(err, log, 'contents:download');
    return refuse(ctx, statusOf(error), error);
  }
  const refusal = callRefusal('contents:preview', args, scope);
  if (refusal) return refuse(ctx, 403, refusal);

  // The browser cancelling the save closes the socket: stop reading the layer then.
  const abort = new AbortController();
  const onClose = () => {
    if (!ctx.res.writableFinished) abort.abort(new Error('the client went away'));
  };
  ctx.res.once('close', onClose);
  try {
    const dl = await download(args, abort.signal);
    let first: Buffer | null;
    try {
      first = await firstChunk(dl.stream);
    } catch (err) {
      dl.stream.destroy();
      throw err;
    }
    if (abort.signal.aborted) {
      dl.stream.destroy();
      return;
    }
    const body = rejoined(first, dl.stream);
    // A long file may take a while: no idle cut-off while the layer is read up to it.
    ctx.req.socket.setTimeout(0);
    const name = safeFileName(dl.name);
    ctx.status = 200;
    ctx.set('Content-Type', dl.kind === 'tar' ? 'application/x-tar' : 'application/octet-stream');
    ctx.set('Content-Disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`);
    if (dl.size !== null && dl.kind === 'file') ctx.length = dl.size;
    body.once('error', (err) => {
      // Headers are gone: the only honest signal left is a cut connection (the browser marks the download failed).
      if (!abort.signal.aborted) log.warn(`contents download ${args.repository}:${args.reference} ${args.path}: ${err.message}`);
      ctx.res.destroy();
    });
    ctx.body = body;
  } catch (err) {
    ctx.res.off('close', onClose);
    if (abort.signal.aborted) return;
    const error = toApiError(err, log, 'contents:download');
    refuse(ctx, statusOf(error), error);
  }
}
