/**
 * A RegistryOpener that knows the local registry only: what a process without saved connections
 * opens (and the stand-in until the full opener, which also reads saved connections and hosts, is
 * wired in).
 */
import { LocalSource } from '../browse/local-source';
import { LOCAL_CONNECTION_ID } from '../contract';
import { RegistryError } from '../core/errors';
import type { RegistryService } from '../registry/service';
import type { OpenedRegistry, RegistryEndpoint, RegistryOpener } from './endpoints';

/** Opens `local` over `served`; anything else is CONNECTION_UNKNOWN. */
export function localOnlyOpener(served: RegistryService, host: () => string = () => 'localhost'): RegistryOpener {
  return {
    async open(endpoint: RegistryEndpoint): Promise<OpenedRegistry> {
      if ('connection' in endpoint && endpoint.connection === LOCAL_CONNECTION_ID) {
        return { source: new LocalSource(served, host), label: 'local', host: host(), close: async () => {} };
      }
      const what = 'connection' in endpoint ? `connection ${JSON.stringify(endpoint.connection)}` : `host ${endpoint.host}`;
      throw new RegistryError('CONNECTION_UNKNOWN', { message: `${what} cannot be opened in this process (only the local registry)` });
    },
  };
}
