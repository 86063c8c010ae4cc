/** PLACEHOLDER until its owner fills it in: the Admin channels' handlers and payload checks. */
import type { Checks } from './args-kit';

/** The channels of this area. */
export type AdminChannel = 'users:list' | 'users:add' | 'users:remove' | 'users:set-password' | 'users:set-rights' | 'users:set-anonymous' | 'users:initial-password' | 'cert:info' | 'cert:regenerate' | 'cert:bundle' | 'cert:install-commands';

/** The channels of this area, at run time. */
export const ADMIN_CHANNELS: readonly AdminChannel[] = ['users:list', 'users:add', 'users:remove', 'users:set-password', 'users:set-rights', 'users:set-anonymous', 'users:initial-password', 'cert:info', 'cert:regenerate', 'cert:bundle', 'cert:install-commands'];

/** Payload checks of this area. */
export const ADMIN_CHECKS: Checks<AdminChannel> = {
  'users:list': (raw) => raw as never,
  'users:add': (raw) => raw as never,
  'users:remove': (raw) => raw as never,
  'users:set-password': (raw) => raw as never,
  'users:set-rights': (raw) => raw as never,
  'users:set-anonymous': (raw) => raw as never,
  'users:initial-password': (raw) => raw as never,
  'cert:info': (raw) => raw as never,
  'cert:regenerate': (raw) => raw as never,
  'cert:bundle': (raw) => raw as never,
  'cert:install-commands': (raw) => raw as never,
};
