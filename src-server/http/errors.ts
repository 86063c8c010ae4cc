/**
 * The `/v2` face's errors on the wire. Statuses and default messages come from the contract's code
 * table (through RegistryError); neutral failures are mapped by core/error-mapping.ts, the one
 * mapper towards OCI codes. A route that looks something up chooses its own not-found code (see
 * v2/not-found.ts); a NotFoundError that reaches this far unchosen is NOT_FOUND.
 */
import type { Context, Next } from 'koa';
import { toRegistryError } from '../core/error-mapping';
import { RegistryError } from '../core/errors';
import type { Logger } from '../logger';

/** Writes the spec's error body: `{"errors":[{code,message,detail}]}`. */
export function writeError(ctx: Context, err: RegistryError): void {
  ctx.status = err.status;
  for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v);
  ctx.type = 'application/json';
  ctx.body = { errors: [{ code: err.code, message: err.message, detail: err.detail ?? null }] };
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
      const mapped = toRegistryError(err);
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
