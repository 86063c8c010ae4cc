import { randomBytes } from 'node:crypto';

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A well-formed bcrypt hash at cost 20, made of random characters rather than by hashing: a compare
 * against it keeps a password-check thread busy for minutes, so a test can hold the pool's threads
 * and queue full for as long as it needs them (closing the pool ends it).
 */
export function slowBcryptHash(): string {
  return `$2b$20$${[...randomBytes(53)].map((b) => ALPHABET[b & 63]).join('')}`;
}
