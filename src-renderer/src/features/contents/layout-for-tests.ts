/**
 * happy-dom lays nothing out, so a virtualized list would render no rows: these tests give every
 * element a size (the list's box is 600 px tall) for as long as the test file runs.
 */
import { afterAll, beforeAll } from 'vitest';

/** Gives elements a layout size in this test file. */
export function withLayoutSize(width = 1000, height = 600): void {
  const saved = ['offsetHeight', 'offsetWidth', 'clientHeight', 'clientWidth'].map((k) => [k, Object.getOwnPropertyDescriptor(HTMLElement.prototype, k)] as const);
  beforeAll(() => {
    for (const k of ['offsetHeight', 'clientHeight']) Object.defineProperty(HTMLElement.prototype, k, { configurable: true, get: () => height });
    for (const k of ['offsetWidth', 'clientWidth']) Object.defineProperty(HTMLElement.prototype, k, { configurable: true, get: () => width });
  });
  afterAll(() => {
    for (const [k, d] of saved) {
      if (d) Object.defineProperty(HTMLElement.prototype, k, d);
      else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[k];
    }
  });
}
