import { join } from 'node:path';

/**
 * The files of the generated certificates, under `<data>/berth/tls/`:
 * ```
 * tls/
 *   ca.crt       the local CA (what clients trust; goes into the client bundle)
 *   ca.key       its private key (0600; never leaves this directory)
 *   server.crt   the server certificate, signed by ca.crt
 *   server.key   its private key (0600)
 *   names.json   {"names": [...]}: extra SANs the user added
 * ```
 */
export const TLS_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  names: 'names.json',
} as const;

/** The directory of the generated certificates for a data directory. */
export function tlsDir(dataDir: string): string {
  return join(dataDir, 'berth', 'tls');
}
