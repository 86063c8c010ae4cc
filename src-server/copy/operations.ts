/**
 * Copies running under a caller's operation id, so that `image:copy-cancel` can stop one. A cancel
 * may reach the server before the copy it names (two requests in flight): it is remembered, and that
 * copy is refused as cancelled when it arrives. Ids of finished copies are remembered too, so a late
 * cancel is answered truthfully ("nothing to stop"). Both memories are bounded.
 */
import { RegistryError } from '../core/errors';

/** Ids remembered at most, per memory. */
const REMEMBERED = 1000;

/** What cancelling an operation id did. */
export type CancelOutcome = 'stopping' | 'before-start' | 'finished';

/** The running copies of one process. */
export class RunningCopies {
  private readonly running = new Map<string, AbortController>();
  private readonly early = new Set<string>();
  private readonly finished = new Set<string>();

  /** True while a copy runs under that id (a second one may not use it). */
  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /**
   * Registers a copy (its id not running: see isRunning); its signal aborts when it is cancelled.
   * Throws CANCELLED when a cancel came first.
   */
  start(id: string): AbortSignal {
    if (this.early.delete(id)) throw new RegistryError('CANCELLED', { message: `operation ${id} was cancelled before it started: nothing was written`, detail: { operationId: id } });
    this.finished.delete(id);
    const controller = new AbortController();
    this.running.set(id, controller);
    return controller.signal;
  }

  /** Marks a copy as ended (done, failed or cancelled). */
  end(id: string): void {
    this.running.delete(id);
    remember(this.finished, id);
  }

  /** Cancels the copy with that id, now or when it arrives. */
  cancel(id: string): CancelOutcome {
    const controller = this.running.get(id);
    if (controller) {
      controller.abort(new Error(`operation ${id} cancelled`));
      return 'stopping';
    }
    if (this.finished.has(id)) return 'finished';
    remember(this.early, id);
    return 'before-start';
  }
}

function remember(set: Set<string>, id: string): void {
  set.add(id);
  if (set.size > REMEMBERED) set.delete(set.values().next().value!);
}
