/** PLACEHOLDER until its owner fills it in: the Browse channels' handlers and payload checks. */
import type { Checks } from './args-kit';

/** The channels of this area. */
export type BrowseChannel = 'browse:repositories' | 'browse:tags' | 'browse:image' | 'browse:repository-size' | 'browse:refresh' | 'tag:delete-preview' | 'tag:delete';

/** The channels of this area, at run time. */
export const BROWSE_CHANNELS: readonly BrowseChannel[] = ['browse:repositories', 'browse:tags', 'browse:image', 'browse:repository-size', 'browse:refresh', 'tag:delete-preview', 'tag:delete'];

/** Payload checks of this area. */
export const BROWSE_CHECKS: Checks<BrowseChannel> = {
  'browse:repositories': (raw) => raw as never,
  'browse:tags': (raw) => raw as never,
  'browse:image': (raw) => raw as never,
  'browse:repository-size': (raw) => raw as never,
  'browse:refresh': (raw) => raw as never,
  'tag:delete-preview': (raw) => raw as never,
  'tag:delete': (raw) => raw as never,
};
