import { readFileSync } from 'node:fs';
import { isMap, parseDocument, Scalar, YAMLMap } from 'yaml';
import { writeFileAtomic } from '../core/files';
import { validateUserName } from './htpasswd-store';
import { FileChangeCheck } from './file-change';
import { formatRules, parseRules, type Rule } from './rules';

/**
 * The access file: who may do what, beside the htpasswd file (which stays pure Apache format).
 *
 *   users:
 *     admin: "admin@*"
 *     alice: "pull@*,push@team/*"
 *   anonymous: "pull@public/*"      # optional; callers who do not log in
 *
 * Users not listed have no rights. While the file does not exist at all, every htpasswd user has
 * every right, as under registry:2, so that a registry:2 setup moves over unchanged.
 */

/** The parsed access file. */
export interface AccessDoc {
  /** Rules per user name, in file order. */
  users: Map<string, Rule[]>;
  /** Rules for callers who do not log in (none when absent). */
  anonymous: Rule[];
}

/** An access file that cannot be used; the message names the file (when known) and the problem. */
export class AccessFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessFileError';
  }
}

const HEADER = `Berth access rules, re-read on change (no restart needed).
users: NAME: "right@pattern,...". Rights: pull; push and delete (each implies pull); admin (everything).
Patterns match whole repository names: * is any characters including /, ? is one character.
Users not listed here have no rights. anonymous: rights of callers who do not log in (none when absent).`;

/** Rules from a YAML value: a string (`pull@*,push@team/*`), a list of such strings, or empty. */
function rulesOf(value: unknown, where: string): Rule[] {
  if (value === null || value === undefined) return [];
  const parts = Array.isArray(value) ? value : [value];
  const out: Rule[] = [];
  for (const p of parts) {
    if (typeof p !== 'string') throw new AccessFileError(`${where}: expected rules such as "pull@*,push@team/*", got ${JSON.stringify(p)}`);
    try {
      out.push(...parseRules(p));
    } catch (err) {
      throw new AccessFileError(`${where}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** Parses access file text; throws AccessFileError (one line, with the YAML line number) when it is wrong. */
export function parseAccessYaml(text: string): AccessDoc {
  const doc = parseDocument(text, { uniqueKeys: true });
  const bad = doc.errors[0];
  if (bad) {
    const line = bad.linePos?.[0].line;
    const message = bad.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new AccessFileError(`YAML error${line ? ` on line ${line}` : ''}: ${message}`);
  }
  const js: unknown = doc.toJS({ maxAliasCount: 100 });
  const out: AccessDoc = { users: new Map(), anonymous: [] };
  if (js === null || js === undefined) return out;
  if (typeof js !== 'object' || Array.isArray(js)) throw new AccessFileError('expected a mapping with "users" and "anonymous"');
  for (const [key, value] of Object.entries(js)) {
    if (key === 'anonymous') out.anonymous = rulesOf(value, 'anonymous');
    else if (key === 'users') {
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || Array.isArray(value)) throw new AccessFileError('users: expected a mapping of user name to rules');
      for (const [name, rules] of Object.entries(value as Record<string, unknown>)) {
        try {
          validateUserName(name);
        } catch (err) {
          throw new AccessFileError(`users: ${(err as Error).message}`);
        }
        out.users.set(name, rulesOf(rules, `users.${name}`));
      }
    } else throw new AccessFileError(`unknown key "${key}" (expected users and anonymous)`);
  }
  return out;
}

function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

/**
 * The YAML text of an access document. With `base` (the file's current text, if it parses), the
 * base is edited in place so that hand-written comments and order survive; otherwise a fresh file
 * with an explanatory header.
 */
export function formatAccessYaml(doc: AccessDoc, base?: string): string {
  let y = base !== undefined ? parseDocument(base) : undefined;
  if (!y || y.errors.length || !(y.contents === null || isMap(y.contents))) {
    y = parseDocument('users: {}\n');
    y.commentBefore = HEADER.split('\n').map((l) => ` ${l}`).join('\n');
  }
  if (y.contents === null) y.contents = new YAMLMap() as never;
  let users = y.get('users');
  if (!isMap(users)) {
    users = new YAMLMap();
    y.set('users', users);
  }
  const map = users as YAMLMap;
  for (const item of [...map.items]) {
    const key = item.key instanceof Scalar ? item.key.value : item.key;
    // A key YAML reads as a number (`007: ...`) is set again below under its string name.
    if (typeof key !== 'string' || !doc.users.has(key)) map.delete(item.key);
  }
  for (const [name, rules] of doc.users) {
    const text = formatRules(rules);
    const current = map.get(name, true) as Scalar | undefined;
    // Keep the node (and its comments) when the rules did not change.
    if (current instanceof Scalar && typeof current.value === 'string' && sameRules(current.value, rules)) continue;
    map.set(name, quoted(text));
  }
  if (map.items.length) map.flow = false;
  if (doc.anonymous.length) y.set('anonymous', quoted(formatRules(doc.anonymous)));
  else y.delete('anonymous');
  return y.toString();
}

function sameRules(text: string, rules: Rule[]): boolean {
  try {
    return formatRules(parseRules(text)) === formatRules(rules);
  } catch {
    return false;
  }
}

/** Reads and parses the access file; undefined when it does not exist. Errors name the file. */
export function readAccessFile(path: string): { doc: AccessDoc; text: string } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return undefined;
    throw new AccessFileError(`cannot read access file ${path}: ${e.message}`);
  }
  try {
    return { doc: parseAccessYaml(text), text };
  } catch (err) {
    throw new AccessFileError(`access file ${path}: ${(err as Error).message}`);
  }
}

/** Writes the access file atomically (temp file + rename, mode 0600), keeping `base`'s comments. */
export function writeAccessFile(path: string, doc: AccessDoc, base?: string): void {
  writeFileAtomic(path, formatAccessYaml(doc, base));
}

/** Options of AccessFile. */
export interface AccessFileOptions {
  now?: () => number;
  /** Called with one-line warnings: file missing (once), a bad edit kept out, the file gone. */
  onWarning?: (message: string) => void;
}

const EVERYTHING: readonly Rule[] = Object.freeze([{ right: 'admin', pattern: '*' }]) as readonly Rule[];

/**
 * The access file kept in memory and re-read when it changes (checked at most once a second).
 * A bad edit keeps the last good rules in force and warns; a file that was loaded and then
 * disappears also keeps them (an editor replacing it must not open the registry to everyone).
 */
export class AccessFile {
  private doc: AccessDoc | undefined;
  private readonly watch: FileChangeCheck;

  /** Reads the file at once; throws AccessFileError when it exists but cannot be used. */
  constructor(
    readonly path: string,
    private readonly opts: AccessFileOptions = {},
  ) {
    this.watch = new FileChangeCheck(path, opts.now);
    const read = readAccessFile(path);
    this.doc = read?.doc;
    if (!read) this.warnMissing();
  }

  private warnMissing(): void {
    this.opts.onWarning?.(
      `access file ${this.path} does not exist: every htpasswd user has every right (as under registry:2); ` +
        'create it (berth user access NAME RULES) to limit rights',
    );
  }

  /** Makes the next lookup read the file at once (this process just changed it). */
  recheck(): void {
    this.watch.lookNow();
  }

  private refresh(): void {
    const change = this.watch.poll();
    if (change === 'unchanged') return;
    if (change === 'gone') {
      if (this.doc) this.opts.onWarning?.(`access file ${this.path} disappeared; keeping the rules loaded before (restart to drop them)`);
      return;
    }
    try {
      const read = readAccessFile(this.path);
      if (read) this.doc = read.doc;
    } catch (err) {
      // A file that appears broken never grants the missing-file default: it was meant to limit rights.
      const keeping = this.doc ? 'keeping the rules loaded before' : 'nobody has any right until it is fixed';
      this.doc ??= { users: new Map(), anonymous: [] };
      this.opts.onWarning?.(`${(err as Error).message}; ${keeping}`);
    }
  }

  /** True while rules come from the file (false: it never existed, everyone logged in has every right). */
  exists(): boolean {
    this.refresh();
    return this.doc !== undefined;
  }

  /** The rules of a logged-in user (`admin@*` for everyone while there is no access file). */
  rulesFor(user: string): Rule[] {
    this.refresh();
    if (!this.doc) return [...EVERYTHING];
    return this.doc.users.get(user) ?? [];
  }

  /** The rules of callers who do not log in (none while there is no access file). */
  anonymousRules(): Rule[] {
    this.refresh();
    return this.doc?.anonymous ?? [];
  }
}
