/** The origin guard of a registry served without auth, shared by `berth serve` and the desktop's registry process. */
import type { Middleware } from 'koa';
import type { BerthConfig } from '../config/types';
import { createOriginGuard } from '../http/origin-guard';
import type { Logger } from '../logger';
import type { CertificateStore } from '../tls/store';

/**
 * Without auth nothing tells a web page in the user's browser from a client: the origin guard
 * refuses foreign Origins and Host names that are not this server's (DNS rebinding). With auth the
 * credentials do that job and no guard is installed. Known names: the listen hosts and the
 * certificate's configured names (re-read while serving), besides loopback and the machine's own.
 */
export function openRegistryGuard(config: BerthConfig, store: CertificateStore, log: Logger): Middleware | undefined {
  if (config.auth.mode !== 'none') return undefined;
  const listenHosts = [config.listen.host, config.tlsListen?.host].filter((h): h is string => h !== undefined && h !== '0.0.0.0' && h !== '::');
  return createOriginGuard({
    names: () => [...listenHosts, ...config.tlsNames, ...store.storedNames()],
    warn: (m) => log.warn(m),
  }).middleware;
}
