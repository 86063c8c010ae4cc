/**
 * Handlers of the sync channels (payload shapes are checked in args-transfer.ts; what a job means
 * is checked by the sync service, as for sync.yml). A run's progress goes out as `sync:progress`;
 * `transfer:cancel` stops a run through {@link SyncService.cancel}.
 */
import type { SyncService } from '../sync/service';
import type { CoreHandler } from './handler-types';

/** The channels this table serves. */
export type SyncHandlerChannel = 'sync:list' | 'sync:save' | 'sync:remove' | 'sync:run' | 'sync:history';

/** What the handlers work on. */
export interface SyncHandlerDeps {
  sync: SyncService;
}

/** Builds the sync handlers. */
export function createSyncHandlers(deps: SyncHandlerDeps): { [C in SyncHandlerChannel]: CoreHandler<C> } {
  const { sync } = deps;
  return {
    'sync:list': async () => sync.listing(),
    'sync:save': async (args) => sync.save(args),
    'sync:remove': async (args) => sync.remove(args.name),
    'sync:run': (args, emit) => sync.run(args, { onProgress: (p) => emit('sync:progress', p) }),
    'sync:history': async (args) => sync.runHistory(args),
  };
}
