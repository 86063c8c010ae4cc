/**
 * Handlers of the copy-anywhere and archive channels (issue 20): `transfer:copy`,
 * `archive:export`, `archive:import` (progress as `transfer:progress`) and `transfer:cancel`, which
 * also stops a sync run of that operation id.
 */
import type { TransferService } from '../transfer/service';
import type { CoreHandler } from './handler-types';

/** The channels this table serves. */
export type TransferCallChannel = 'transfer:copy' | 'transfer:cancel' | 'archive:export' | 'archive:import';

/** What the handlers work on. */
export interface TransferHandlerDeps {
  transfer: TransferService;
  /** Stops a sync run by its operation id; false when none runs. */
  cancelSync?: (operationId: string) => boolean;
}

/** Builds the handlers. */
export function createTransferHandlers(deps: TransferHandlerDeps): { [C in TransferCallChannel]: CoreHandler<C> } {
  const { transfer } = deps;
  return {
    'transfer:copy': (args, emit) => transfer.copy(args, { onProgress: (p) => emit('transfer:progress', p) }),
    'archive:export': (args, emit) => transfer.exportArchive(args, { onProgress: (p) => emit('transfer:progress', p) }),
    'archive:import': (args, emit) => transfer.importArchive(args, { onProgress: (p) => emit('transfer:progress', p) }),
    'transfer:cancel': async ({ operationId }) => ({ cancelled: transfer.cancel(operationId) || (deps.cancelSync?.(operationId) ?? false) }),
  };
}
