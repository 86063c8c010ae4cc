/** The access area: what the calling user may do (`access:repository`), for the GUI to enable its actions. */
import { RegistryError } from '../core/errors';
import { isValidName } from '../core/names';
import { object, requiredString, type Checks } from './args-kit';
import { repositoryRights } from './caller-access';
import type { CoreHandler } from './handler-types';

/** The channels of this area. */
export type AccessChannel = 'access:repository';

/** Builds the handlers of this area (they answer from the caller's scope alone). */
export function createAccessHandlers(): { [C in AccessChannel]: CoreHandler<C> } {
  return {
    'access:repository': async ({ repository }, _emit, scope) => {
      if (!isValidName(repository)) throw new RegistryError('NAME_INVALID', { message: `invalid repository name ${JSON.stringify(repository)}`, detail: { name: repository } });
      return repositoryRights(scope, repository);
    },
  };
}

/** Payload checks of this area. */
export const ACCESS_CHECKS: Checks<AccessChannel> = {
  'access:repository': (raw) => ({ repository: requiredString(object(raw, ['repository']), 'repository') }),
};
