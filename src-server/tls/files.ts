import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateError } from './errors';

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

/** Writes atomically (temp file + rename in the same directory), keys readable by the owner only. */
export function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

/** Reads a text file; a missing or unreadable file becomes a one-line CertificateError. */
export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CertificateError(`cannot read ${what} ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}
