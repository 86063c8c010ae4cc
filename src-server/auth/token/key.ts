import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { BERTH_DIR } from '../../storage/layout';

/** The key that signs Berth's tokens (ES256, P-256). */
export interface TokenKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Key id written in every token's header: the RFC 7638 thumbprint of the public key. */
  kid: string;
}

/** Where the signing key lives inside a data directory. */
export function tokenKeyPath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'token-key.pem');
}

function fromPem(pem: string, path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new Error(`cannot read token signing key ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`token signing key ${path} is not a P-256 EC key (ES256)`);
  }
  return key;
}

/**
 * Reads the token signing key, creating it (mode 0600) when the file does not exist. Creation is
 * atomic and never overwrites: the key is written to a temp file and hard-linked into place, so two
 * processes starting at once end up with the same key.
 */
export async function loadOrCreateTokenKey(path: string): Promise<TokenKey> {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read token signing key ${path}: ${(err as Error).message}`, { cause: err });
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
    pem = readFileSync(path, 'utf8');
  }
  const privateKey = fromPem(pem, path);
  const publicKey = createPublicKey(privateKey);
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  return { privateKey, publicKey, kid };
}

/** True when the key file can be read by group or others (worth a warning). */
export function keyFileTooOpen(path: string): boolean {
  return (statSync(path).mode & 0o077) !== 0;
}
