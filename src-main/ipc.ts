/**
 * The main process's side of the preload's bridge: one `ipcMain.handle` per invoke channel of the
 * contract, each checking who sent the call before routing it, and answering the envelope (never a
 * thrown error, whose code and detail Electron would drop). Events go to the app's windows only.
 */
import { INVOKE_CHANNELS, type Envelope, type EventChannel, type InvokeChannel } from '../src-server/contract';
import { isAllowedNavigation } from './windows';

/** The part of an IPC invoke event the checks read (Electron's IpcMainInvokeEvent). */
export interface InvokeEventLike {
  /** The web contents that sent the call. */
  sender: { id: number };
  /** The frame that sent it; null once the frame navigated away or was destroyed. */
  senderFrame: { url: string; parent: unknown } | null;
}

/** The part of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** Where a trusted call is sent (the registry process, or the main process for a few channels). */
export type Route = (channel: InvokeChannel, payload: unknown) => Promise<Envelope<unknown>>;

/** What {@link registerIpc} needs. */
export interface IpcOptions {
  ipcMain: IpcMainLike;
  route: Route;
  isTrustedSender(event: InvokeEventLike): boolean;
  /** Told of each refused call (without its payload, which may hold a password). */
  onRefused?(channel: string, reason: string): void;
}

/** The envelope of a call from a sender that is not Berth's own page. */
export const UNTRUSTED_SENDER: Envelope<never> = Object.freeze({
  ok: false,
  error: { code: 'DENIED', message: 'IPC call refused: it does not come from a Berth window' },
}) as Envelope<never>;

/**
 * Registers a handler for every invoke channel of the contract; returns the function removing them.
 * A channel not in the contract has no handler, so Electron itself refuses it.
 */
export function registerIpc(opts: IpcOptions): () => void {
  for (const channel of INVOKE_CHANNELS) {
    opts.ipcMain.handle(channel, async (event, payload) => {
      if (!opts.isTrustedSender(event)) {
        opts.onRefused?.(channel, `sender ${event.senderFrame?.url ?? '(no frame)'} of web contents ${event.sender.id}`);
        return UNTRUSTED_SENDER;
      }
      try {
        return await opts.route(channel, payload);
      } catch (err) {
        return { ok: false, error: { code: 'INTERNAL', message: `the desktop app failed to answer ${channel}: ${(err as Error).message}` } };
      }
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) opts.ipcMain.removeHandler(channel);
  };
}

/**
 * The sender check: the call must come from the top frame of one of Berth's windows, showing
 * Berth's own page (the built file, or the dev server in development). A frame inside the page, a
 * page the window was somehow navigated to, or any other web contents is refused.
 */
export function createSenderCheck(opts: { appUrl: () => string; windowContentsIds: () => Iterable<number> }): (event: InvokeEventLike) => boolean {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    if (![...opts.windowContentsIds()].includes(event.sender.id)) return false;
    return isAllowedNavigation(frame.url, opts.appUrl());
  };
}

/** A window's web contents, as far as sending events goes. */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

/** Sends an event of the contract to every live window. */
export function broadcast(targets: Iterable<EventTarget>, channel: EventChannel, payload: unknown): void {
  for (const t of targets) {
    if (!t.isDestroyed()) t.send(channel, payload);
  }
}
