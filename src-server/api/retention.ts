/**
 * Handlers of the retention channels (payload shapes are checked in args-retention.ts; what a
 * policy means is checked by the retention service, as for retention.yml).
 */
import type { RetentionService } from '../retention/service';
import type { CoreHandler } from './handler-types';

/** The retention channels served here (the trash's are the trash's). */
export type RetentionHandlerChannel = 'retention:list' | 'retention:add' | 'retention:remove' | 'retention:schedule' | 'retention:run';

/** What the handlers work on. */
export interface RetentionHandlerDeps {
  retention: RetentionService;
}

/** Builds the retention handlers. */
export function createRetentionHandlers(deps: RetentionHandlerDeps): { [C in RetentionHandlerChannel]: CoreHandler<C> } {
  const { retention } = deps;
  return {
    'retention:list': async () => retention.listing(),
    'retention:add': async (args) => retention.add(args),
    'retention:remove': async (args) => retention.remove(args.name),
    'retention:schedule': async (args) => retention.setSchedule(args.schedule),
    'retention:run': async (args) => retention.run({ dryRun: args.dryRun === true, trigger: 'manual' }),
  };
}
