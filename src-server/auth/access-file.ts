import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/files';
import { effectiveRules, emptyAccessDoc, type AccessDoc } from './access-doc';
import { AccessFileError, formatAccessYaml, parseAccessYaml } from './access-yaml';
import { FileChangeCheck } from './file-change';
import type { Rule } from './rules';

/**
 * The access file: who may do what, beside the htpasswd file (which stays pure Apache format).
 * Its format is drawn in access-yaml.ts: users with their own rules and groups, the groups' rules,
 * and the rules of anonymous callers. A user's rights are their own plus their groups'.
 *
 * Users not listed have no rights. While the file does not exist at all, every htpasswd user has
 * every right, as under registry:2, so that a registry:2 setup moves over unchanged.
 */

export { AccessFileError, formatAccessYaml, parseAccessYaml } from './access-yaml';
export { emptyAccessDoc, type AccessDoc } from './access-doc';

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
  /** Each listed user's rights (own and groups'), worked out once per read of the file. */
  private rights = new Map<string, Rule[]>();
  private readonly watch: FileChangeCheck;

  /** Reads the file at once; throws AccessFileError when it exists but cannot be used. */
  constructor(
    readonly path: string,
    private readonly opts: AccessFileOptions = {},
  ) {
    this.watch = new FileChangeCheck(path, opts.now);
    const read = readAccessFile(path);
    if (read) this.use(read.doc);
    else this.warnMissing();
  }

  private use(doc: AccessDoc): void {
    this.doc = doc;
    this.rights = new Map([...doc.users.keys()].map((user) => [user, effectiveRules(doc, user)]));
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
      if (read) this.use(read.doc);
    } catch (err) {
      // A file that appears broken never grants the missing-file default: it was meant to limit rights.
      const keeping = this.doc ? 'keeping the rules loaded before' : 'nobody has any right until it is fixed';
      if (!this.doc) this.use(emptyAccessDoc());
      this.opts.onWarning?.(`${(err as Error).message}; ${keeping}`);
    }
  }

  /** True while rules come from the file (false: it never existed, everyone logged in has every right). */
  exists(): boolean {
    this.refresh();
    return this.doc !== undefined;
  }

  /**
   * The rights of a logged-in user: their own rules and those of their groups (`admin@*` for
   * everyone while there is no access file).
   */
  rulesFor(user: string): Rule[] {
    this.refresh();
    if (!this.doc) return [...EVERYTHING];
    return this.rights.get(user) ?? [];
  }

  /** The rules of callers who do not log in (none while there is no access file). */
  anonymousRules(): Rule[] {
    this.refresh();
    return this.doc?.anonymous ?? [];
  }
}
