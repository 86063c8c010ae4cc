/** The certificate store a serving process and `berth cert` share for one configuration. */
import type { BerthConfig } from '../config/types';
import { CertificateStore, tlsDir } from '../tls/store';

/**
 * The certificate store `berth serve` and `berth cert` use for a configuration: the user's own
 * pair when http.tls is set (used as it is), else Berth's generated CA and certificate under
 * `<data>/berth/tls`. Names from `--tls-name` are stored in names.json first, so that the server,
 * its renewals and `berth cert` all agree on the certificate's names; one the CA may not vouch for
 * is refused (CertificateError) before anything is written, saying how to make a CA that may.
 */
export function certificateStoreFor(config: Pick<BerthConfig, 'dataDir' | 'tls' | 'tlsNames'>): CertificateStore {
  if (config.tls) return new CertificateStore({ dir: tlsDir(config.dataDir), provided: config.tls });
  const store = new CertificateStore({ dir: tlsDir(config.dataDir) });
  const stored = store.storedNames();
  const added = (config.tlsNames ?? []).filter((n) => !stored.includes(n.toLowerCase()));
  if (added.length > 0) {
    store.checkCovered(added);
    store.writeNames([...stored, ...added]);
  }
  return store;
}
