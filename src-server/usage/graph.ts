import type Database from 'better-sqlite3';

/** A child manifest of an index, as the index lists it. */
export interface ChildRef {
  digest: string;
  /** `os/architecture[/variant]`, or `unknown`. */
  platform: string;
}

/** One repository as the index knows it. */
export interface RepoNode {
  name: string;
  /** Manifests the repository holds (registry:2's revisions). */
  revisions: Set<string>;
  /** Tags by the digest they point at, each list sorted. */
  tagsByDigest: Map<string, string[]>;
  tagCount: number;
}

/** Facts about one manifest's own content. */
interface ManifestFacts {
  mediaType: string;
  subject: string | null;
}

type RefRow = [parent: string, child: string, kind: string, size: number, os: string | null, arch: string | null, variant: string | null];

/** `os/architecture[/variant]`, or `unknown` when the index does not name one. */
export function platformOf(os: string | null, arch: string | null, variant: string | null): string {
  if (!os || !arch) return 'unknown';
  return variant ? `${os}/${arch}/${variant}` : `${os}/${arch}`;
}

/**
 * The registry's content graph, read from the index in a handful of queries: repositories with
 * their revisions and tags, and what each manifest references. Blobs are interned to small numbers
 * so that closures are arrays of ids and counting is done in typed arrays.
 */
export class UsageGraph {
  readonly repos: RepoNode[] = [];
  readonly byName = new Map<string, RepoNode>();
  /** Blob ids by digest, and each blob's size (0 when it is not on disk). */
  private readonly ids = new Map<string, number>();
  private readonly sizes: number[] = [];
  private readonly facts = new Map<string, ManifestFacts>();
  private readonly children = new Map<string, Array<{ child: string; kind: string; platform: string }>>();
  private readonly closures = new Map<string, Int32Array>();
  /** Sizes counting only blobs on disk, once {@link setPresent} was called. */
  private eff: number[] | null = null;
  private present: Set<string> | null = null;

  /** Reads the graph from the index's tables in one read transaction (a consistent snapshot). */
  static load(db: Database.Database): UsageGraph {
    const g = new UsageGraph();
    db.transaction(() => {
      const names = new Map<number, RepoNode>();
      for (const [id, name] of db.prepare('SELECT id, name FROM repos').raw().all() as Array<[number, string]>) {
        const node: RepoNode = { name, revisions: new Set(), tagsByDigest: new Map(), tagCount: 0 };
        names.set(id, node);
        g.repos.push(node);
        g.byName.set(name, node);
      }
      for (const [id, digest] of db.prepare('SELECT repo_id, digest FROM revisions').raw().all() as Array<[number, string]>) {
        names.get(id)?.revisions.add(digest);
      }
      const tags = db.prepare('SELECT repo_id, name, digest FROM tags ORDER BY repo_id, name').raw().all() as Array<[number, string, string]>;
      for (const [id, tag, digest] of tags) {
        const node = names.get(id);
        if (!node) continue;
        node.tagCount++;
        const list = node.tagsByDigest.get(digest);
        if (list) list.push(tag);
        else node.tagsByDigest.set(digest, [tag]);
      }
      const info = db.prepare('SELECT digest, media_type, size, subject FROM manifest_info').raw().all() as Array<[string, string, number, string | null]>;
      for (const [digest, mediaType, size, subject] of info) {
        g.facts.set(digest, { mediaType, subject });
        g.intern(digest, size);
      }
      const refs = db.prepare('SELECT parent, child, kind, size, os, architecture, variant FROM manifest_refs').raw().all() as RefRow[];
      for (const [parent, child, kind, size, os, arch, variant] of refs) {
        g.intern(child, size);
        const list = g.children.get(parent);
        const ref = { child, kind, platform: platformOf(os, arch, variant) };
        if (list) list.push(ref);
        else g.children.set(parent, [ref]);
      }
    })();
    return g;
  }

  /** Restricts sizes to the blobs in `present` (on disk): content an index names but storage lacks (a pull-through cache fetches lazily) takes no space. */
  setPresent(present: Set<string>): void {
    const eff = new Array<number>(this.sizes.length).fill(0);
    for (const [digest, id] of this.ids) if (present.has(digest)) eff[id] = this.sizes[id]!;
    this.eff = eff;
    this.present = present;
  }

  /** Number of interned blobs (the length counting arrays need). */
  get blobCount(): number {
    return this.sizes.length;
  }

  /** Bytes of a blob by id (0 when not on disk, once {@link setPresent} was called). */
  bytes(id: number): number {
    return this.eff ? this.eff[id]! : this.sizes[id]!;
  }

  /** Sum of the sizes of blob ids. */
  sum(ids: Iterable<number>, keep: (id: number) => boolean = () => true): number {
    let total = 0;
    for (const id of ids) if (keep(id)) total += this.bytes(id);
    return total;
  }

  /** The size descriptors in the index give a digest, or null when none names it. */
  sizeOf(digest: string): number | null {
    const id = this.ids.get(digest);
    return id === undefined || this.sizes[id] === 0 ? null : this.sizes[id]!;
  }

  /** A manifest's media type, when the index knows its content. */
  mediaType(digest: string): string | null {
    return this.facts.get(digest)?.mediaType ?? null;
  }

  /** The digest a referrer names as its subject. */
  subject(digest: string): string | null {
    return this.facts.get(digest)?.subject ?? null;
  }

  /** Child manifests of an index, ordered by platform then digest. */
  childManifests(digest: string): ChildRef[] {
    return (this.children.get(digest) ?? [])
      .filter((r) => r.kind === 'manifest')
      .map((r) => ({ digest: r.child, platform: r.platform }))
      .sort((a, b) => (a.platform === b.platform ? cmp(a.digest, b.digest) : cmp(a.platform, b.platform)));
  }

  /**
   * Ids of the distinct blobs a manifest references: its own body, its config and layers, and
   * recursively its child manifests. Memoised: content is immutable per digest.
   */
  closure(digest: string): Int32Array {
    const memo = this.closures.get(digest);
    if (memo) return memo;
    const out = new Set<number>([this.intern(digest, 0)]);
    for (const r of this.children.get(digest) ?? []) {
      if (r.kind === 'manifest') {
        // Content addressing rules out cycles; the guard keeps a corrupt index from recursing forever.
        if (r.child === digest) continue;
        for (const id of this.closure(r.child)) out.add(id);
      } else {
        out.add(this.intern(r.child, 0));
      }
    }
    const arr = Int32Array.from(out);
    this.closures.set(digest, arr);
    return arr;
  }

  /**
   * The images of a repository: manifests that are tagged, or not a child of another manifest of
   * the repository (untagged images and referrers included; an untagged platform of an index is
   * part of that index, not an image of its own).
   */
  roots(repo: RepoNode): string[] {
    const children = new Set<string>();
    for (const d of repo.revisions) for (const c of this.childManifests(d)) if (c.digest !== d) children.add(c.digest);
    return [...repo.revisions].filter((d) => repo.tagsByDigest.has(d) || !children.has(d));
  }

  private intern(digest: string, size: number): number {
    let id = this.ids.get(digest);
    if (id === undefined) {
      id = this.sizes.length;
      this.ids.set(digest, id);
      this.sizes.push(size);
      this.eff?.push(this.present!.has(digest) ? size : 0);
    } else if (size > 0 && this.sizes[id] === 0) {
      this.sizes[id] = size;
      if (this.eff && this.present!.has(digest)) this.eff[id] = size;
    }
    return id;
  }
}

/** Code-unit order of two strings (as SQLite and the registry sort names). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
