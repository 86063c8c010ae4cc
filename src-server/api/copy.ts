/** PLACEHOLDER until its owner fills it in: the Copy channels' handlers and payload checks. */
import type { Checks } from './args-kit';

/** The channels of this area. */
export type CopyChannel = 'image:copy';

/** The channels of this area, at run time. */
export const COPY_CHANNELS: readonly CopyChannel[] = ['image:copy'];

/** Payload checks of this area. */
export const COPY_CHECKS: Checks<CopyChannel> = {
  'image:copy': (raw) => raw as never,
};
