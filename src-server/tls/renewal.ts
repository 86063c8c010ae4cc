import type { SecureContextOptions } from 'node:tls';
import type { Logger } from '../logger';
import type { CertificateStore } from './store';

/** How often a running server checks its certificate by default: once a day. */
export const RENEWAL_CHECK_MS = 24 * 60 * 60 * 1000;

/** Anything that can swap its certificate while running (node:https and node:tls servers). */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/** A running renewal timer. */
export interface CertificateRenewal {
  /** Checks now (renews if due) and swaps the certificate in when it changed; resolves true then. */
  check(): Promise<boolean>;
  /** Stops the timer. */
  stop(): void;
}

/**
 * Keeps a listening HTTPS server's certificate fresh: on a timer (daily by default) asks the store
 * to `ensure()`, and when the certificate changed (renewed near expiry, a new LAN address, names
 * edited with `berth cert`, a provided file replaced) installs it with `setSecureContext`, so new
 * connections get it without a restart. `current` is the certificate PEM the server was started with. Failures are logged and retried at the next tick.
 */
export function keepCertificateFresh(
  server: SecureContextTarget,
  store: CertificateStore,
  opts: { current: string; log?: Logger; intervalMs?: number },
): CertificateRenewal {
  let served = opts.current;
  const check = async (): Promise<boolean> => {
    const m = await store.ensure();
    for (const r of m.reasons) opts.log?.info(`TLS: ${r}`);
    if (m.cert === served) return false;
    server.setSecureContext({ cert: m.cert, key: m.key });
    served = m.cert;
    opts.log?.info('TLS: the server certificate was reloaded');
    return true;
  };
  const timer = setInterval(() => {
    check().catch((err: Error) => opts.log?.error(`TLS: certificate check failed: ${err.message}`));
  }, opts.intervalMs ?? RENEWAL_CHECK_MS);
  // Never the reason the process stays alive.
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
