import { parseDigest, type ParsedDigest } from '../core/digest';
import { isValidTag } from '../core/names';
import type { BlobStore } from './blobs';
import type { StorageDriver } from './driver';
import { paths, REPO_MARKERS } from './layout';

/** Manifests (revisions) and tags of repositories, in registry:2's `_manifests` layout. */
export class ManifestStore {
  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
  ) {}

  /** True when the repository holds this manifest revision. */
  async has(repo: string, d: ParsedDigest): Promise<boolean> {
    const link = await this.driver.readFile(paths.revisionLink(repo, d));
    return link !== null && link.toString('utf8').trim() === d.digest;
  }

  /** The manifest's bytes if the repository holds it. */
  async get(repo: string, d: ParsedDigest): Promise<Buffer | null> {
    if (!(await this.has(repo, d))) return null;
    return this.blobs.read(d);
  }

  /** Stores a verified manifest and links it into the repository. Content first, then the link. */
  async put(repo: string, d: ParsedDigest, body: Buffer): Promise<void> {
    await this.blobs.putVerified(d, body);
    await this.driver.writeFile(paths.revisionLink(repo, d), d.digest);
  }

  /**
   * Points a tag at a manifest, then records it in the tag's history as registry:2 does. The
   * current link goes first: a tag folder must never exist without it, or registry:2 lists a tag
   * it cannot serve.
   */
  async tag(repo: string, tag: string, d: ParsedDigest): Promise<void> {
    await this.driver.writeFile(paths.tagCurrentLink(repo, tag), d.digest);
    await this.driver.writeFile(paths.tagIndexLink(repo, tag, d), d.digest);
  }

  /** The digest a tag points at, read from disk. */
  async resolveTag(repo: string, tag: string): Promise<ParsedDigest | null> {
    const link = await this.driver.readFile(paths.tagCurrentLink(repo, tag));
    return link ? parseDigest(link.toString('utf8').trim()) : null;
  }

  /**
   * When the tag got its current digest: the modification time of its `current/link`, which
   * registry:2 and Berth write on every push of the tag (null when the tag is gone).
   */
  async tagModified(repo: string, tag: string): Promise<Date | null> {
    return (await this.driver.stat(paths.tagCurrentLink(repo, tag)))?.modified ?? null;
  }

  /** Removes a tag; resolves false when it did not exist. */
  async untag(repo: string, tag: string): Promise<boolean> {
    if (!(await this.driver.stat(paths.tagDir(repo, tag)))) return false;
    await this.driver.delete(paths.tagDir(repo, tag));
    return true;
  }

  /** Removes a manifest revision from the repository (its content stays until GC). */
  async deleteRevision(repo: string, d: ParsedDigest): Promise<void> {
    await this.driver.delete(paths.revisionDir(repo, d));
  }

  /** Every tag with the digest it points at (tags whose link is unreadable are skipped). */
  async listTags(repo: string): Promise<Array<{ tag: string; digest: ParsedDigest }>> {
    const out: Array<{ tag: string; digest: ParsedDigest }> = [];
    for (const tag of await this.driver.list(paths.tagsRoot(repo))) {
      if (!isValidTag(tag)) continue;
      const d = await this.resolveTag(repo, tag);
      if (d) out.push({ tag, digest: d });
    }
    return out;
  }

  /** Every manifest revision of the repository. */
  async listRevisions(repo: string): Promise<ParsedDigest[]> {
    const out: ParsedDigest[] = [];
    for (const alg of await this.driver.list(paths.revisionsRoot(repo))) {
      for (const hex of await this.driver.list(`${paths.revisionsRoot(repo)}/${alg}`)) {
        const d = parseDigest(`${alg}:${hex}`);
        if (d) out.push(d);
      }
    }
    return out;
  }

  /** Every repository on disk, found by walking `repositories/` for registry:2's marker folders. */
  async listRepositories(): Promise<string[]> {
    const found: string[] = [];
    const walk = async (prefix: string): Promise<void> => {
      const dir = prefix ? `${paths.repositoriesRoot()}/${prefix}` : paths.repositoriesRoot();
      const entries = await this.driver.list(dir);
      if (prefix && entries.some((e) => (REPO_MARKERS as readonly string[]).includes(e))) found.push(prefix);
      for (const e of entries) {
        if (e.startsWith('_') || e.startsWith('.')) continue;
        const child = prefix ? `${prefix}/${e}` : e;
        const info = await this.driver.stat(`${paths.repositoriesRoot()}/${child}`);
        if (info?.isDirectory) await walk(child);
      }
    };
    await walk('');
    return found.sort();
  }

  /** True when storage holds the repository itself (a marker folder), not only repositories below it. */
  async exists(repo: string): Promise<boolean> {
    const found = await Promise.all(REPO_MARKERS.map((m) => this.driver.stat(`${paths.repo(repo)}/${m}`)));
    return found.some((f) => f !== null);
  }

  /**
   * Deletes a repository: its tags, revisions, links and uploads. Repositories below it (`team` holds
   * `team/app`) share its folder and stay.
   */
  async deleteRepository(repo: string): Promise<void> {
    await Promise.all(REPO_MARKERS.map((m) => this.driver.delete(`${paths.repo(repo)}/${m}`)));
  }

  /**
   * Which tags' histories (`tags/<tag>/index/<alg>/<hex>`) hold each digest: one folder listing per
   * tag and algorithm.
   */
  async tagHistory(repo: string): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const tag of await this.driver.list(paths.tagsRoot(repo))) {
      if (!isValidTag(tag)) continue;
      const indexDir = `${paths.tagDir(repo, tag)}/index`;
      for (const alg of await this.driver.list(indexDir)) {
        for (const hex of await this.driver.list(`${indexDir}/${alg}`)) {
          const d = parseDigest(`${alg}:${hex}`);
          if (!d) continue;
          const tags = out.get(d.digest);
          if (tags) tags.push(tag);
          else out.set(d.digest, [tag]);
        }
      }
    }
    return out;
  }

  /**
   * Removes a manifest's entries from tag histories, as registry:2's vacuum does when it removes an
   * untagged manifest: from `tags` (see {@link tagHistory}), or from every tag when not given.
   * Current links are not touched.
   */
  async forgetTagHistory(repo: string, d: ParsedDigest, tags?: readonly string[]): Promise<void> {
    for (const tag of tags ?? (await this.driver.list(paths.tagsRoot(repo)))) {
      if (!isValidTag(tag)) continue;
      await this.driver.delete(paths.tagIndexLink(repo, tag, d).replace(/\/link$/, ''));
    }
  }
}
