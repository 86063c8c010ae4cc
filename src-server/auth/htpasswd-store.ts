import bcrypt from 'bcryptjs';
import { readFileSync } from 'node:fs';
import { MAX_PASSWORD_BYTES, passwordProblem } from '../contract';
import { writeFileAtomic } from '../core/files';

/**
 * Editing an htpasswd file without disturbing what Berth does not own: comments, blank lines,
 * entries with other hash types and anything unparsable are written back exactly as they were
 * read. Only lines of the users being changed are touched. The format stays Apache's and
 * registry:2's (`user:hash`, bcrypt written as `$2y$` the way `htpasswd -B` writes it).
 */

/** bcrypt cost of the hashes Berth writes (Apache's `htpasswd -B` default is 5; 10 is bcrypt's usual). */
export const BCRYPT_COST = 10;

/** bcrypt reads at most this many bytes of a password. */
const BCRYPT_MAX_BYTES = MAX_PASSWORD_BYTES;

/** A user name or password that cannot be stored. */
export class InvalidCredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCredentialError';
  }
}

/**
 * Checks a user name for the htpasswd file and the access file: 1 to 64 characters, no `:`, no
 * whitespace or control characters, not starting with `#` (a comment line), and not `anonymous`
 * (the name of the rights of callers who do not log in).
 */
export function validateUserName(name: string): void {
  if (name.length < 1 || name.length > 64) throw new InvalidCredentialError(`invalid user name "${name}": use 1 to 64 characters`);
  // eslint-disable-next-line no-control-regex
  if (/[:\s\u0000-\u001f\u007f]/.test(name)) throw new InvalidCredentialError(`invalid user name ${JSON.stringify(name)}: no ':', spaces or control characters`);
  if (name.startsWith('#')) throw new InvalidCredentialError(`invalid user name "${name}": it must not start with '#'`);
  if (name === 'anonymous') throw new InvalidCredentialError('"anonymous" is reserved for callers who do not log in (use `berth user anonymous RULES`)');
}

/** Checks a password: not empty, no line breaks, at most 72 bytes (bcrypt would ignore the rest). */
export function validatePassword(password: string): void {
  if (password.length === 0) throw new InvalidCredentialError('the password is empty');
  if (/[\r\n]/.test(password)) throw new InvalidCredentialError('the password contains a line break');
  if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) {
    throw new InvalidCredentialError(`the password is longer than ${BCRYPT_MAX_BYTES} bytes; bcrypt would ignore the rest`);
  }
}

/**
 * Checks a password a person or script sets through Berth (the API, the GUI, `berth user add` and
 * `passwd`): what {@link validatePassword} asks, and at least MIN_PASSWORD_LENGTH characters. The
 * rule is the contract's, so the GUI says the same before it sends. Hashing itself does not
 * enforce it: entries made with `htpasswd` or by registry:2 keep working.
 */
export function validateNewPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new InvalidCredentialError(problem);
}

/** Hashes a password with bcrypt at BCRYPT_COST, with the `$2y$` prefix Apache writes. */
export async function hashPassword(password: string): Promise<string> {
  validatePassword(password);
  const hash = await bcrypt.hash(password, BCRYPT_COST);
  // $2a$, $2b$ and $2y$ are the same algorithm for passwords this short; $2y$ is what htpasswd -B writes.
  return `$2y$${hash.slice(4)}`;
}

type Line = { kind: 'entry'; user: string; hash: string; raw: string } | { kind: 'other'; raw: string };

/** The user name of an htpasswd line, read as registry:2 and htpasswd.ts do; undefined for other lines. */
function entryOf(raw: string): { user: string; hash: string } | undefined {
  const line = raw.trim();
  if (!line || line.startsWith('#')) return undefined;
  const i = line.indexOf(':');
  if (i <= 0) return undefined;
  return { user: line.slice(0, i), hash: line.slice(i + 1).trim() };
}

/** An htpasswd file's lines in memory; edit, then save with writeHtpasswdFile. */
export class HtpasswdDoc {
  private lines: Line[];

  /** Parses htpasswd text (`''` for a new file). */
  constructor(text = '') {
    const raws = text.split('\n');
    if (raws.at(-1) === '') raws.pop();
    this.lines = raws.map((raw) => {
      const e = entryOf(raw);
      return e ? { kind: 'entry', ...e, raw } : { kind: 'other', raw };
    });
  }

  /** User names in file order, each once. */
  users(): string[] {
    const names = this.lines.flatMap((l) => (l.kind === 'entry' ? [l.user] : []));
    return [...new Set(names)];
  }

  /** True when the file has a line for the user. */
  has(user: string): boolean {
    return this.hashOf(user) !== undefined;
  }

  /** The user's hash; with duplicate lines the last one, as registry:2 reads it. */
  hashOf(user: string): string | undefined {
    let hash: string | undefined;
    for (const l of this.lines) if (l.kind === 'entry' && l.user === user) hash = l.hash;
    return hash;
  }

  /** Sets the user's hash: replaces the user's first line in place (dropping duplicates) or appends one. */
  setHash(user: string, hash: string): void {
    validateUserName(user);
    if (/[\s:]/.test(hash) || !hash) throw new InvalidCredentialError('invalid password hash');
    const line: Line = { kind: 'entry', user, hash, raw: `${user}:${hash}` };
    const i = this.lines.findIndex((l) => l.kind === 'entry' && l.user === user);
    if (i < 0) {
      this.lines.push(line);
      return;
    }
    this.lines = this.lines.filter((l, j) => j <= i || !(l.kind === 'entry' && l.user === user));
    this.lines[i] = line;
  }

  /** Removes every line of the user; false when there was none. */
  remove(user: string): boolean {
    const before = this.lines.length;
    this.lines = this.lines.filter((l) => !(l.kind === 'entry' && l.user === user));
    return this.lines.length !== before;
  }

  /** The file text, one line each, ending with a newline. */
  toString(): string {
    return this.lines.map((l) => `${l.raw}\n`).join('');
  }
}

/** Reads the htpasswd file; a missing file is an empty document. Throws a one-line Error otherwise. */
export function readHtpasswdDoc(path: string): HtpasswdDoc {
  try {
    return new HtpasswdDoc(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return new HtpasswdDoc();
    throw new Error(`cannot read htpasswd file ${path}: ${e.message}`, { cause: err });
  }
}

/** Writes the document atomically (temp file, fsync, rename) with mode 0600. */
export function writeHtpasswdFile(path: string, doc: HtpasswdDoc): void {
  writeFileAtomic(path, doc.toString());
}

