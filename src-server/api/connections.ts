/** PLACEHOLDER until its owner fills it in: the Connection channels' handlers and payload checks. */
import type { Checks } from './args-kit';

/** The channels of this area. */
export type ConnectionChannel = 'connections:list' | 'connections:add' | 'connections:update' | 'connections:remove' | 'connections:test';

/** The channels of this area, at run time. */
export const CONNECTION_CHANNELS: readonly ConnectionChannel[] = ['connections:list', 'connections:add', 'connections:update', 'connections:remove', 'connections:test'];

/** Payload checks of this area. */
export const CONNECTION_CHECKS: Checks<ConnectionChannel> = {
  'connections:list': (raw) => raw as never,
  'connections:add': (raw) => raw as never,
  'connections:update': (raw) => raw as never,
  'connections:remove': (raw) => raw as never,
  'connections:test': (raw) => raw as never,
};
