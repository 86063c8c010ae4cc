import { readTextFile } from '../core/files';
import { FileChangeCheck } from './file-change';

/** Parsed htpasswd content: user name to bcrypt hash, plus lines Berth cannot use. */
export interface HtpasswdEntries {
  users: Map<string, string>;
  /** Users whose hash is not bcrypt (MD5 `$apr1$`, `{SHA}`, crypt, plain): they never authenticate. */
  unsupported: string[];
}

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/**
 * Parses an htpasswd file as registry:2 does: one `user:hash` per line, blank lines and `#` comments
 * skipped. Only bcrypt hashes (`htpasswd -B`: `$2y$`, `$2a$`, `$2b$`) are usable.
 */
export function parseHtpasswd(text: string): HtpasswdEntries {
  const users = new Map<string, string>();
  const unsupported: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const user = line.slice(0, i);
    const hash = line.slice(i + 1).trim();
    if (BCRYPT.test(hash)) users.set(user, hash);
    else unsupported.push(user);
  }
  return { users, unsupported };
}

/** Reads the file now; throws a one-line Error when it is missing or unreadable. */
export function readHtpasswdFile(path: string): HtpasswdEntries {
  return parseHtpasswd(readTextFile(path, 'htpasswd file'));
}

/** An htpasswd file kept in memory and re-read when it changes on disk. */
export class HtpasswdFile {
  private entries: HtpasswdEntries;
  private readonly watch: FileChangeCheck;
  /** Bumped on every reload, so that caches built on older contents can be dropped. */
  generation = 0;

  /** Reads the file at once (throws if it cannot be read). */
  constructor(
    readonly path: string,
    private readonly opts: { now?: () => number; onReload?: (e: HtpasswdEntries) => void; onError?: (msg: string) => void } = {},
  ) {
    this.watch = new FileChangeCheck(path, opts.now);
    this.entries = readHtpasswdFile(path);
    opts.onReload?.(this.entries);
  }

  /** Makes the next `current()` look at the file at once (this process just changed it). */
  recheck(): void {
    this.watch.lookNow();
  }

  /**
   * The current entries. Stats the file at most once a second and re-reads it when it changed, so
   * that hand edits take effect without a restart. If the file turns unreadable (an editor in the
   * middle of replacing it) the last good contents stay in force.
   */
  current(): HtpasswdEntries {
    const change = this.watch.poll();
    if (change === 'gone') {
      this.opts.onError?.(`htpasswd file ${this.path} is unreadable; keeping the users loaded before`);
    } else if (change === 'changed') {
      try {
        this.entries = readHtpasswdFile(this.path);
        this.generation++;
        this.opts.onReload?.(this.entries);
      } catch (err) {
        this.opts.onError?.(`${(err as Error).message}; keeping the users loaded before`);
      }
    }
    return this.entries;
  }
}
