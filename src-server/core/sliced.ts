/**
 * Long synchronous work split into slices, so that a server doing it keeps answering: the work is
 * written as a generator that yields at points where it may pause, and {@link runSliced} gives the
 * event loop a turn whenever a slice has run for its budget. `drain` runs the same generator at once.
 */

/** A piece of work that may pause at each `yield`, returning T. */
export type Sliced<T> = Generator<void, T, void>;

/** Runs `work` to its end without pausing. */
export function drain<T>(work: Sliced<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Longest a slice runs before the event loop gets a turn, ms: a request waits at most about this long. */
export const SLICE_BUDGET_MS = 4;

/** Runs `work`, giving the event loop a turn (setImmediate) each time a slice has run `budgetMs`. */
export async function runSliced<T>(work: Sliced<T>, budgetMs = SLICE_BUDGET_MS): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= budgetMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
