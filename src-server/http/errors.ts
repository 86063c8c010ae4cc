import type { Context, Next } from 'koa';
import { DigestMismatchError, type ErrorCode, NotFoundError, RegistryError, UploadOffsetError } from '../core/errors';
import type { Logger } from '../logger';

/** Writes the spec's error body: `{"errors":[{code,message,detail}]}`. */
export function writeError(ctx: Context, err: RegistryError): void {
  ctx.status = err.status;
  for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v);
  ctx.type = 'application/json';
  ctx.body = { errors: [{ code: err.code, message: err.message, detail: err.detail ?? null }] };
}

/** Maps neutral storage errors to the OCI code the current route chose (`ctx.state.notFound`). */
export function toRegistryError(err: unknown, notFound: ErrorCode): RegistryError | null {
  if (err instanceof RegistryError) return err;
  if (err instanceof NotFoundError) return new RegistryError(notFound);
  if (err instanceof DigestMismatchError) {
    return new RegistryError('DIGEST_INVALID', { detail: { expected: err.expected, actual: err.actual } });
  }
  if (err instanceof UploadOffsetError) {
    return new RegistryError('RANGE_INVALID', {
      headers: { Range: `0-${Math.max(err.currentSize - 1, 0)}` },
      detail: { size: err.currentSize },
    });
  }
  return null;
}

/**
 * The outermost middleware: every failure becomes the spec's JSON error. Unknown errors become a
 * logged 500 without a stack in the body; Koa's default text error never reaches a client.
 */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (err) {
      const mapped = toRegistryError(err, (ctx.state.notFound as ErrorCode | undefined) ?? 'NOT_FOUND');
      if (mapped) {
        writeError(ctx, mapped);
        return;
      }
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ECONNRESET' || e.message === 'aborted') {
        // The client went away mid-request; nobody is left to answer.
        log.debug(`client aborted ${ctx.method} ${ctx.path}`);
        ctx.status = 400;
        return;
      }
      log.error(`${ctx.method} ${ctx.path} failed: ${e.stack ?? e.message}`);
      writeError(ctx, new RegistryError('UNKNOWN', { message: 'internal server error' }));
    }
  };
}
