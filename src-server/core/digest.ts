import { createHash, type Hash } from 'node:crypto';

/** Digest algorithms Berth accepts, with the length of their hex encoding. */
export const DIGEST_ALGORITHMS = { sha256: 64, sha512: 128 } as const;

/** A supported digest algorithm name. */
export type DigestAlgorithm = keyof typeof DIGEST_ALGORITHMS;

/** A parsed `algorithm:hex` digest. */
export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
  /** The canonical string form, `algorithm:hex`. */
  digest: string;
}

const DIGEST_RE = /^(sha256|sha512):([a-f0-9]+)$/;

/** Parses a digest string; returns null unless it is a well-formed sha256 or sha512 digest. */
export function parseDigest(value: string): ParsedDigest | null {
  const m = DIGEST_RE.exec(value);
  if (!m) return null;
  const algorithm = m[1] as DigestAlgorithm;
  if (m[2]!.length !== DIGEST_ALGORITHMS[algorithm]) return null;
  return { algorithm, hex: m[2]!, digest: value };
}

/** True when the string looks like a digest reference (has an algorithm prefix), valid or not. */
export function looksLikeDigest(ref: string): boolean {
  return ref.includes(':');
}

/** Starts an incremental hash for the algorithm. */
export function createDigester(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}

/** Digest of an in-memory buffer (for manifests, which are small and bounded). */
export function digestOf(data: Buffer | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}
