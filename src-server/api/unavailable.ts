import type { InvokeChannel } from '../contract';
import { RegistryError } from '../core/errors';
import type { CoreHandler } from './handler-types';

/**
 * Handlers for channels whose service is not wired where the table is built (e.g. connections in
 * a CLI working on the data directory in-process): each answers UNSUPPORTED saying why.
 */
export function unavailable<K extends InvokeChannel>(channels: readonly K[], why: string): { [C in K]: CoreHandler<C> } {
  const out = {} as { [C in K]: CoreHandler<C> };
  for (const c of channels) {
    out[c] = (async () => {
      throw new RegistryError('UNSUPPORTED', { message: `${c} is not available here: ${why}` });
    }) as unknown as CoreHandler<typeof c>;
  }
  return out;
}
