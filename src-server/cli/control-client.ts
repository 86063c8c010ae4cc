/**
 * How a CLI command reaches the core: through the control listener of the `berth serve` that owns
 * the data directory when one runs (so its index and write gate stay the only writers), else by
 * opening the data directory in-process, serving the call from the same handler table, and closing.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import type { Envelope, EventChannel, InvokeArgs, InvokeChannel, InvokeResult } from '../contract';
import { createCoreHandlers, dispatch } from '../api/handlers';
import { ACTOR_HEADER, localActor, osUserName } from '../audit/actor';
import { loadConfig } from '../config/load';
import { isProcessAlive } from '../core/files';
import { readControlFile, type ControlFile } from '../http/control/control-server';
import { createLogger } from '../logger';
import { createServices } from '../services';
import type { S3Options } from '../storage/s3-options';
import { withDataDirLock } from '../serving/data-dir-lock';
import { CliError } from './errors';

/** Where the data directory comes from, as every command takes it. */
export interface DataOptions {
  data?: string;
  config?: string;
}

/** A call the core refused: the envelope's message, with its code (e.g. `NAME_UNKNOWN`, `BUSY`). */
export class CoreCallError extends CliError {
  constructor(
    message: string,
    readonly code: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'CoreCallError';
  }
}

/** Receives events (e.g. `gc:progress`) while a call runs. */
export type EventListener = (channel: EventChannel, payload: unknown) => void;

/**
 * Invokes `channel` on the core that owns the data directory (resolved like every command:
 * --data, BERTH_DATA, the config file, the default): the running server's, else in-process.
 * Throws {@link CoreCallError} for a refused call and CliError when the server is lost mid-call.
 */
export async function invokeCore<C extends InvokeChannel>(
  opts: DataOptions,
  channel: C,
  args: InvokeArgs<C>,
  onEvent: EventListener = () => {},
): Promise<InvokeResult<C>> {
  const { config } = loadConfig(opts);
  const dataDir = config.dataDir;
  // Never create a data directory for a mistyped path.
  if (!existsSync(dataDir)) throw new CliError(`data directory ${dataDir} not found`);
  let envelope = await invokeServer(dataDir, channel, args, onEvent);
  if (!envelope) {
    envelope = await withDataDirLock(
      dataDir,
      'this command',
      10_000,
      // A server may have started while we waited for the lock.
      async () =>
        (await invokeServer(dataDir, channel, args, onEvent)) ?? (await invokeInProcess({ dataDir, deleteEnabled: config.deleteEnabled, s3: config.s3, trashKeepMs: config.trashKeepMs }, channel, args, onEvent)),
    );
  }
  if (!envelope.ok) throw new CoreCallError(envelope.error.message, envelope.error.code, envelope.error.detail);
  return envelope.result as InvokeResult<C>;
}

/** Calls the running server; null when none runs (no control.json, its process gone, or refused). */
async function invokeServer(dataDir: string, channel: string, args: unknown, onEvent: EventListener): Promise<Envelope<unknown> | null> {
  const ctl = readControlFile(dataDir);
  if (!ctl || !isProcessAlive(ctl.pid)) return null;
  return postInvoke(ctl, channel, args, onEvent);
}

async function invokeInProcess(
  { dataDir, deleteEnabled, s3, trashKeepMs }: { dataDir: string; deleteEnabled: boolean; s3: S3Options | undefined; trashKeepMs: number },
  channel: string,
  args: unknown,
  onEvent: EventListener,
): Promise<Envelope<unknown>> {
  const log = createLogger('warn');
  let services;
  try {
    services = await createServices({ dataDir, deleteEnabled, log, s3, trashKeepMs });
  } catch (err) {
    throw new CliError(`cannot open data directory ${dataDir}: ${(err as Error).message}`);
  }
  try {
    const audit = { sink: services.audit, actor: localActor('cli') };
    return await dispatch(createCoreHandlers(services), channel, args, (event, payload) => onEvent(event, payload), log, { audit });
  } finally {
    services.close();
  }
}

/**
 * POSTs one call to a control listener and reads its NDJSON answer. Resolves null only when the
 * connection is refused (a stale control.json: nothing was sent, so working in-process is safe).
 */
export function postInvoke(ctl: ControlFile, channel: string, args: unknown, onEvent: EventListener): Promise<Envelope<unknown> | null> {
  const lost = (why: string) =>
    new CliError(`lost berth serve (pid ${ctl.pid}) during the call (${why}); it may have been partly done, check with \`berth usage\``);
  return new Promise((resolve, reject) => {
    const body = args === undefined ? '' : JSON.stringify(args);
    const req = request(`${ctl.url}/invoke/${encodeURIComponent(channel)}`, {
      method: 'POST',
      agent: false,
      headers: {
        Authorization: `Bearer ${ctl.token}`,
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        // Who runs the command, for the server's audit log.
        [ACTOR_HEADER]: osUserName(),
      },
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve(null) : reject(lost(err.code ?? err.message))));
    req.on('response', (res) => {
      if (res.statusCode === 401) {
        res.resume();
        return reject(new CliError(`berth serve (pid ${ctl.pid}) refused the token in control.json; is the file another server's?`));
      }
      res.setEncoding('utf8');
      let buffered = '';
      let envelope: Envelope<unknown> | null = null;
      const line = (text: string) => {
        if (!text.trim()) return;
        const msg = JSON.parse(text) as { event?: EventChannel; payload?: unknown } & Partial<Envelope<unknown>>;
        if (typeof msg.ok === 'boolean') envelope = msg as Envelope<unknown>;
        else if (msg.event) onEvent(msg.event, msg.payload);
      };
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl;
        try {
          while ((nl = buffered.indexOf('\n')) >= 0) {
            line(buffered.slice(0, nl));
            buffered = buffered.slice(nl + 1);
          }
        } catch {
          res.destroy();
          reject(lost('an answer that is not JSON'));
        }
      });
      res.on('error', () => reject(lost('connection reset')));
      res.on('close', () => (envelope ? resolve(envelope) : reject(lost('the connection closed before the answer'))));
    });
    req.end(body);
  });
}
