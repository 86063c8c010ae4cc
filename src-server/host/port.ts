/**
 * The registry process's line to its parent: Electron's `process.parentPort` in a utilityProcess,
 * or Node's IPC channel (`process.send`) in a child started with `child_process.fork` (tests, and
 * the built bundle run under plain Node).
 */
import type { HostMessage } from './protocol';

/** Sends to and receives from the parent process. */
export interface HostPort {
  post(message: HostMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the parent goes away (its process ended): the registry must not outlive it. */
  onDisconnect(listener: () => void): void;
}

/** Electron's `process.parentPort` (a MessagePortMain whose events carry `data`). */
interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
}

/** The port of this process, or null when it was started without a parent to talk to. */
export function parentPort(proc: NodeJS.Process = process): HostPort | null {
  const electronPort = (proc as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
  if (electronPort) {
    return {
      post: (m) => electronPort.postMessage(m),
      onMessage: (l) => void electronPort.on('message', (e) => l(e.data)),
      // Electron ends a utilityProcess with its parent; nothing to watch.
      onDisconnect: () => undefined,
    };
  }
  if (typeof proc.send === 'function') {
    return {
      post: (m) => void proc.send!(m),
      onMessage: (l) => void proc.on('message', l),
      onDisconnect: (l) => void proc.once('disconnect', l),
    };
  }
  return null;
}
