/**
 * The messages between the desktop app's main process and its registry process (an Electron
 * utilityProcess; a Node child process in tests). Structured-clone values only.
 *
 *   main -> registry   invoke {id, channel, payload}   one call of the contract
 *                      shutdown                         close everything and exit 0
 *   registry -> main   ready {status, ...}             once, after the services opened
 *                      result {id, envelope}           the answer to invoke `id`
 *                      event {channel, payload}        registry:status-changed, gc:progress, copy:progress
 *                      fatal {message}                 could not start (bad config, data locked); exits 1
 */
import type { Envelope, EventChannel, InvokeChannel, RegistryStatus } from '../contract';

/**
 * The environment variable that carries the registry process's arguments, as a JSON array
 * (`["--no-listen"]`): the same on Electron's utilityProcess and Node's fork, whatever either adds
 * to `process.argv`.
 */
export const HOST_ARGS_ENV = 'BERTH_HOST_ARGS';

/** A call from the main process. */
export type HostRequest = { type: 'invoke'; id: number; channel: InvokeChannel; payload: unknown } | { type: 'shutdown' };

/** What the registry process reports once it is ready. */
export interface HostReady {
  type: 'ready';
  status: RegistryStatus;
  /** The user `docker login` should use (the admin user), or null when auth is off. */
  loginUser: string | null;
  /** The admin user this first start created and its password, to offer to the keychain once. */
  initialPassword: { user: string; password: string } | null;
  /** Where connection passwords are kept, and why not in the keychain when it is the file. */
  secrets: { kind: string; warning: string | null };
}

/** A message from the registry process. */
export type HostMessage =
  | HostReady
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; channel: EventChannel; payload: unknown }
  /** Could not start; carries the admin password when this start created it before failing. */
  | { type: 'fatal'; message: string; initialPassword?: { user: string; password: string } | null };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** True for a well-formed message from the registry process (the main process drops anything else). */
export function isHostMessage(v: unknown): v is HostMessage {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'ready':
      return isRecord(v.status) && isRecord(v.secrets);
    case 'result':
      return typeof v.id === 'number' && isRecord(v.envelope) && typeof v.envelope.ok === 'boolean';
    case 'event':
      return typeof v.channel === 'string';
    case 'fatal':
      return typeof v.message === 'string';
    default:
      return false;
  }
}

/** True for a well-formed request from the main process. */
export function isHostRequest(v: unknown): v is HostRequest {
  if (!isRecord(v)) return false;
  if (v.type === 'shutdown') return true;
  return v.type === 'invoke' && typeof v.id === 'number' && typeof v.channel === 'string';
}
