/**
 * Archives through the browser GUI (issue 20), where the server's files are never named:
 *
 *   GET  /_berth/api/archive/export?format=oci|docker&platform=&image=REPO:TAG&image=...&operationId=&csrf=T
 *        → the archive as a download (`<repo>-<tag>.tar`, or `images.tar` for several images)
 *   POST /_berth/api/archive/import?to=REPO&name=FILE&operationId=&csrf=T   body: the archive's bytes
 *        → the envelope of an ArchiveImportReport
 *
 * The export is written by TransferService to one of its temp archive paths, then streamed and
 * removed (also when the client goes away, which cancels an export still being written). An upload
 * is streamed to a temp archive path under a size limit, imported, and removed. Rights are the
 * session's: an export of an image the user may not pull is refused whole, before anything is read;
 * an import needs the right to push somewhere (and to `to`, when given), and each image the user may
 * not push fails alone with DENIED. The bridge has checked the session and the CSRF token before
 * these run. Failures are the bridge's JSON envelope with the code's HTTP status.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from 'koa';
import { isAdministrator, type CallerScope } from '../../api/caller-access';
import { ArgsError } from '../../api/args-kit';
import { TRANSFER_CHECKS } from '../../api/args-transfer';
import { auditEventsFor } from '../../api/audit-events';
import { toApiError } from '../../api/errors';
import type { AuditActor, AuditSink } from '../../audit/audit-log';
import { allows, impliedRights, type Rule } from '../../auth/rules';
import type { ApiError, ArchiveExportArgs, ArchiveImportReport, ImagePlace, TransferProgress } from '../../contract';
import { LOCAL_CONNECTION_ID } from '../../contract';
import { looksLikeDigest } from '../../core/digest';
import { ERROR_CODES } from '../../core/errors';
import { isValidName, isValidTag } from '../../core/names';
import type { Logger } from '../../logger';
import type { TransferService } from '../../transfer/service';
import { safeFileName } from './contents-download';

/** Largest archive an upload may be, unless the bridge is told otherwise: generous, but a bound. */
export const DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 ** 3;
/** Most images one download takes (as `archive:export`). */
const MAX_IMAGES = 1000;

/** What the routes need. */
export interface ArchiveRouteDeps {
  transfer: Pick<TransferService, 'exportArchive' | 'importArchive' | 'tempArchivePath'>;
  log: Logger;
  /** Largest upload; default {@link DEFAULT_MAX_UPLOAD_BYTES}. */
  maxUploadBytes?: number;
  /** Where a browser import is recorded, as `archive:import` is. */
  audit?: AuditSink;
}

/** Who asks: the session's rights (undefined: every right, `--auth none`), its progress events, and the audit actor. */
export interface ArchiveCaller {
  scope: CallerScope | undefined;
  progress: (p: TransferProgress) => void;
  actor?: AuditActor;
}

function statusOf(error: ApiError): number {
  const known = (ERROR_CODES as Record<string, { status: number } | undefined>)[error.code];
  return known?.status ?? 500;
}

function answer(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(body);
}

function refuse(ctx: Context, error: ApiError, status = statusOf(error)): void {
  answer(ctx, status, { ok: false, error });
}

/** One query parameter given at most once. */
function single(ctx: Context, key: string): string | undefined {
  const v = ctx.query[key];
  if (Array.isArray(v)) throw new ArgsError(`${key} is given more than once`);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function operationIdOf(ctx: Context): string | undefined {
  const id = single(ctx, 'operationId');
  if (id !== undefined && !/^[\w-]{1,100}$/.test(id)) throw new ArgsError('operationId must be 1 to 100 letters, digits, _ or -');
  return id;
}

/** `REPO:TAG` or `REPO@DIGEST` of the local registry, checked. */
export function parseImageParam(text: string): { repository: string; reference: string } {
  const at = text.indexOf('@');
  const colon = text.lastIndexOf(':');
  let repository: string;
  let reference: string;
  if (at >= 0) {
    repository = text.slice(0, at);
    reference = text.slice(at + 1);
    if (!looksLikeDigest(reference)) throw new ArgsError(`image ${JSON.stringify(text)}: ${JSON.stringify(reference)} is not a digest`);
  } else {
    if (colon < 0) throw new ArgsError(`image ${JSON.stringify(text)} must be REPOSITORY:TAG or REPOSITORY@DIGEST`);
    repository = text.slice(0, colon);
    reference = text.slice(colon + 1);
    if (!isValidTag(reference)) throw new ArgsError(`image ${JSON.stringify(text)}: ${JSON.stringify(reference)} is not a valid tag`);
  }
  if (!isValidName(repository)) throw new ArgsError(`image ${JSON.stringify(text)}: ${JSON.stringify(repository)} is not a valid repository name`);
  return { repository, reference };
}

/** The export the query asks for, written to `out`, checked as `archive:export`'s payload is (an export by the CLI would be). */
function exportArgs(ctx: Context, out: string): ArchiveExportArgs {
  const raw = ctx.query.image;
  const images = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((s) => s !== '');
  if (images.length === 0 || images.length > MAX_IMAGES) throw new ArgsError(`name 1 to ${MAX_IMAGES} images (image=REPOSITORY:TAG)`);
  const format = single(ctx, 'format') ?? 'oci';
  if (format !== 'oci' && format !== 'docker') throw new ArgsError('format must be oci or docker');
  const platform = single(ctx, 'platform');
  if (platform !== undefined && !/^[a-z0-9_.-]+\/[a-z0-9_.-]+(\/[a-z0-9_.-]+)?$/i.test(platform)) throw new ArgsError(`platform ${JSON.stringify(platform)} must be OS/ARCH[/VARIANT]`);
  const places: ImagePlace[] = images.map((i) => ({ transport: 'registry', connection: LOCAL_CONNECTION_ID, ...parseImageParam(i) }));
  const args = {
    images: places,
    out,
    format,
    platforms: platform ? [platform] : format === 'oci' ? 'all' : undefined,
    operationId: operationIdOf(ctx),
  };
  return TRANSFER_CHECKS['archive:export'](JSON.parse(JSON.stringify(args))) as ArchiveExportArgs;
}

/** Whether `scope` may do `action` in `repository` of the local registry; undefined: every right. */
function allowRepositoryOf(scope: CallerScope | undefined): ((repository: string, action: 'pull' | 'push') => boolean) | undefined {
  if (scope === undefined) return undefined;
  return (repository, action) => allows(scope.rules, action, repository);
}

/** The download's file name: `<repo>-<tag>.tar` for one image, `images.tar` for several. */
export function exportFileName(images: ImagePlace[]): string {
  const only = images.length === 1 ? images[0] : undefined;
  if (!only || only.transport !== 'registry') return 'images.tar';
  const ref = only.reference ?? 'latest';
  return safeFileName(`${only.repository}-${looksLikeDigest(ref) ? ref.replace(':', '-').slice(0, 19) : ref}.tar`);
}

/** Answers one export download. */
export async function serveArchiveExport(ctx: Context, deps: ArchiveRouteDeps, caller: ArchiveCaller): Promise<void> {
  if (ctx.method !== 'GET') {
    ctx.set('Allow', 'GET');
    return refuse(ctx, { code: 'UNSUPPORTED', message: 'download an export with GET' }, 405);
  }
  let args: ArchiveExportArgs;
  try {
    // Checked, and the rights, before a temp file is named: a refused export leaves nothing behind.
    args = exportArgs(ctx, '/');
  } catch (err) {
    return refuse(ctx, toApiError(err, deps.log, 'archive:export'));
  }
  const allowRepository = allowRepositoryOf(caller.scope);
  if (allowRepository && !isAdministrator(caller.scope)) {
    const refused = args.images.filter((p) => p.transport === 'registry' && !allowRepository(p.repository, 'pull')).map((p) => (p.transport === 'registry' ? p.repository : ''));
    if (refused.length > 0) return refuse(ctx, { code: 'DENIED', message: `${caller.scope!.user} may not read ${[...new Set(refused)].join(', ')}: nothing was exported` });
  }
  let out: string;
  try {
    out = deps.transfer.tempArchivePath();
  } catch (err) {
    return refuse(ctx, toApiError(err, deps.log, 'archive:export'));
  }
  args = { ...args, out };

  // The browser cancelling the save closes the socket: stop the export (or the stream) then.
  const abort = new AbortController();
  const onClose = () => {
    if (!ctx.res.writableFinished) abort.abort(new Error('the client went away'));
  };
  ctx.res.once('close', onClose);
  const removeOut = () => void rm(out, { force: true }).catch((err: Error) => deps.log.warn(`archive export: ${out} could not be removed: ${err.message}`));
  // Writing a large archive may take a while before the first byte goes out.
  ctx.req.socket.setTimeout(0);
  try {
    await deps.transfer.exportArchive(args, { signal: abort.signal, allowRepository, onProgress: caller.progress });
    if (abort.signal.aborted) return removeOut();
    const size = (await stat(out)).size;
    const file = createReadStream(out);
    // Koa destroys the body stream when the response ends or the client leaves: the file goes then.
    file.once('close', removeOut);
    file.once('error', (err) => {
      deps.log.warn(`archive export ${out}: ${err.message}`);
      ctx.res.destroy();
    });
    const name = exportFileName(args.images);
    ctx.status = 200;
    ctx.set('Content-Type', 'application/x-tar');
    ctx.set('Content-Disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`);
    ctx.length = size;
    ctx.body = file;
  } catch (err) {
    ctx.res.off('close', onClose);
    removeOut();
    if (abort.signal.aborted) return;
    refuse(ctx, toApiError(err, deps.log, 'archive:export'));
  }
}

class TooLarge extends Error {}

/** Passes bytes on while at most `limit` have gone through. */
function limiter(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) return done(new TooLarge());
      done(null, chunk);
    },
  });
}

/** Whether rules grant pushing to some repository: only then is importing offered, or an upload read. */
export function mayPushSomewhere(rules: readonly Rule[]): boolean {
  return rules.some((r) => impliedRights(r.right).includes('push'));
}

/** Answers one upload: streams it to a temp archive, imports it, removes it. */
export async function serveArchiveImport(ctx: Context, deps: ArchiveRouteDeps, caller: ArchiveCaller): Promise<void> {
  if (ctx.method !== 'POST') {
    ctx.set('Allow', 'POST');
    return refuse(ctx, { code: 'UNSUPPORTED', message: 'upload an archive with POST' }, 405);
  }
  let to: string | undefined;
  let operationId: string | undefined;
  let name: string;
  try {
    to = single(ctx, 'to');
    if (to !== undefined && !isValidName(to)) throw new ArgsError(`${JSON.stringify(to)} is not a valid repository name`);
    operationId = operationIdOf(ctx);
    name = safeFileName(single(ctx, 'name') ?? 'upload.tar');
  } catch (err) {
    return refuse(ctx, toApiError(err, deps.log, 'archive:import'));
  }
  const { scope } = caller;
  if (scope && !isAdministrator(scope)) {
    // Refused before a byte is read: no point taking gigabytes that would all fail.
    if (!mayPushSomewhere(scope.rules)) return refuse(ctx, { code: 'DENIED', message: `${scope.user} may not push to any repository, so cannot import` });
    if (to !== undefined && !allows(scope.rules, 'push', to)) return refuse(ctx, { code: 'DENIED', message: `${scope.user} may not push to ${to}` });
  }
  const limit = deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (Number(ctx.get('content-length') || 0) > limit) {
    ctx.set('Connection', 'close');
    return refuse(ctx, { code: 'ARCHIVE_INVALID', message: `the archive is larger than the ${limit} bytes this server takes` }, 413);
  }

  let path: string;
  try {
    path = deps.transfer.tempArchivePath();
  } catch (err) {
    return refuse(ctx, toApiError(err, deps.log, 'archive:import'));
  }
  const abort = new AbortController();
  const onClose = () => {
    if (!ctx.res.writableFinished) abort.abort(new Error('the client went away'));
  };
  ctx.res.once('close', onClose);
  try {
    try {
      await pipeline(ctx.req, limiter(limit), createWriteStream(path, { flags: 'wx', mode: 0o600 }), { signal: abort.signal });
    } catch (err) {
      if (err instanceof TooLarge) {
        ctx.set('Connection', 'close');
        return refuse(ctx, { code: 'ARCHIVE_INVALID', message: `the archive is larger than the ${limit} bytes this server takes` }, 413);
      }
      if (abort.signal.aborted) return;
      throw err;
    }
    if ((await stat(path)).size === 0) return refuse(ctx, { code: 'ARCHIVE_INVALID', message: `${name} is empty: send the archive's bytes as the request body` });
    // Importing a large archive may take a while: the body is read, so no idle cut-off from here on.
    ctx.req.socket.setTimeout(0);
    const args = { path, ...(to !== undefined ? { to } : {}), ...(operationId !== undefined ? { operationId } : {}) };
    let report: ArchiveImportReport;
    try {
      report = await deps.transfer.importArchive(args, { signal: abort.signal, allowRepository: allowRepositoryOf(scope), onProgress: caller.progress });
    } catch (err) {
      record(deps, caller, name, to, { ok: false, code: toApiError(err, deps.log, 'archive:import').code });
      throw err;
    }
    record(deps, caller, name, to, { ok: true, result: report });
    answer(ctx, 200, { ok: true, result: report });
  } catch (err) {
    if (abort.signal.aborted) return;
    refuse(ctx, toApiError(err, deps.log, 'archive:import'));
  } finally {
    ctx.res.off('close', onClose);
    await rm(path, { force: true }).catch((err: Error) => deps.log.warn(`archive import: ${path} could not be removed: ${err.message}`));
  }
}

/** Records an import as `archive:import` through the bridge would be, the archive named as uploaded. */
function record(deps: ArchiveRouteDeps, caller: ArchiveCaller, name: string, to: string | undefined, outcome: Parameters<typeof auditEventsFor<'archive:import'>>[2]): void {
  if (!deps.audit || !caller.actor) return;
  for (const event of auditEventsFor('archive:import', { path: `upload:${name}`, ...(to !== undefined ? { to } : {}) }, outcome)) deps.audit.record(caller.actor, event);
}
