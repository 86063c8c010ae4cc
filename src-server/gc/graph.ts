import type { RegistryIndex } from '../index/registry-index';

/** One repository as the index records it: its revisions, tags and referrers. */
export interface RepoGraph {
  name: string;
  /** Manifest digests the repository holds. */
  revisions: Set<string>;
  /** Digests some tag points at. */
  tagged: Set<string>;
  /** subject digest -> revisions of this repository that name it as their subject. */
  referrers: Map<string, string[]>;
}

/** What the index knows about every manifest's references, read in a handful of queries. */
export interface RegistryGraph {
  repos: RepoGraph[];
  /** manifest digest -> child manifests (of an index or manifest list). */
  children: Map<string, string[]>;
  /** manifest digest -> config and layer digests. */
  blobs: Map<string, string[]>;
}

/**
 * Loads repositories, tags, revisions, references and subjects from the index in one read
 * transaction, so a collection marks a consistent picture (each query is one pass over a table).
 */
export function loadGraph(index: RegistryIndex): RegistryGraph {
  const db = index.db;
  return db.transaction((): RegistryGraph => {
    const byName = new Map<string, RepoGraph>();
    const repo = (name: string) => {
      let r = byName.get(name);
      if (!r) byName.set(name, (r = { name, revisions: new Set(), tagged: new Set(), referrers: new Map() }));
      return r;
    };
    for (const name of db.prepare('SELECT name FROM repos ORDER BY name').pluck().all() as string[]) repo(name);
    const revs = db.prepare('SELECT r.name, v.digest, i.subject FROM revisions v JOIN repos r ON r.id = v.repo_id LEFT JOIN manifest_info i ON i.digest = v.digest');
    for (const row of revs.raw().iterate() as Iterable<[string, string, string | null]>) {
      const r = repo(row[0]);
      r.revisions.add(row[1]);
      if (row[2]) {
        const list = r.referrers.get(row[2]);
        if (list) list.push(row[1]);
        else r.referrers.set(row[2], [row[1]]);
      }
    }
    const tags = db.prepare('SELECT r.name, t.digest FROM tags t JOIN repos r ON r.id = t.repo_id');
    for (const [name, digest] of tags.raw().iterate() as Iterable<[string, string]>) repo(name).tagged.add(digest);
    const children = new Map<string, string[]>();
    const blobs = new Map<string, string[]>();
    for (const [parent, child, kind] of db.prepare('SELECT parent, child, kind FROM manifest_refs').raw().iterate() as Iterable<
      [string, string, string]
    >) {
      const into = kind === 'manifest' ? children : blobs;
      const list = into.get(parent);
      if (list) list.push(child);
      else into.set(parent, [child]);
    }
    return { repos: [...byName.values()], children, blobs };
  })();
}

/** The result of marking: what stays and which manifests go. */
export interface MarkResult {
  /** repository -> manifests kept in it. */
  keptManifests: Map<string, Set<string>>;
  /** Digests of every blob a kept manifest needs (manifest contents, configs, layers), in every repository. */
  keptBlobs: Set<string>;
  /** Untagged manifests to remove (only with deleteUntagged), parents and subjects before what they reach. */
  removable: Array<{ repository: string; digest: string }>;
}

/**
 * Adds everything reachable from `starts` in one repository to `kept` (manifests of the repository)
 * and `keptBlobs`: child manifests, configs and layers, and referrers (manifests of the repository
 * whose subject is reached), recursively, so signatures of signatures stay too.
 */
export function closeOver(graph: RegistryGraph, repo: RepoGraph, starts: Iterable<string>, kept: Set<string>, keptBlobs: Set<string>): void {
  const stack = [...starts];
  const seen = new Set<string>();
  while (stack.length) {
    const d = stack.pop()!;
    if (seen.has(d)) continue;
    seen.add(d);
    keptBlobs.add(d);
    if (repo.revisions.has(d)) kept.add(d);
    for (const b of graph.blobs.get(d) ?? []) keptBlobs.add(b);
    for (const c of graph.children.get(d) ?? []) if (!seen.has(c)) stack.push(c);
    for (const r of repo.referrers.get(d) ?? []) if (!seen.has(r)) stack.push(r);
  }
}

/**
 * Marks what stays: from each repository's roots (its tagged manifests, or every revision unless
 * `deleteUntagged`) through {@link closeOver}. Manifests not reached are removable.
 */
export function mark(graph: RegistryGraph, deleteUntagged: boolean): MarkResult {
  const keptManifests = new Map<string, Set<string>>();
  const keptBlobs = new Set<string>();
  const removable: MarkResult['removable'] = [];
  for (const repo of graph.repos) {
    const kept = new Set<string>();
    const roots = deleteUntagged ? [...repo.tagged].filter((d) => repo.revisions.has(d)) : repo.revisions;
    closeOver(graph, repo, roots, kept, keptBlobs);
    keptManifests.set(repo.name, kept);
    if (deleteUntagged) {
      for (const digest of removalOrder(graph, repo, kept)) removable.push({ repository: repo.name, digest });
    }
  }
  return { keptManifests, keptBlobs, removable };
}

/**
 * The repository's unkept revisions, each after every unkept manifest that reaches it (as a parent
 * index or as its subject): if a parent survives the sweep (a write touched it meanwhile), what it
 * reaches has not been removed yet and can be kept with it.
 */
function removalOrder(graph: RegistryGraph, repo: RepoGraph, kept: Set<string>): string[] {
  const doomed = [...repo.revisions].filter((d) => !kept.has(d)).sort();
  const doomedSet = new Set(doomed);
  const post: string[] = [];
  const visited = new Set<string>();
  // Iterative depth-first post-order; reversed, parents come before what they reach.
  for (const start of doomed) {
    if (visited.has(start)) continue;
    const stack: Array<{ d: string; next: string[] }> = [];
    const push = (d: string) => {
      visited.add(d);
      const next = [...(graph.children.get(d) ?? []), ...(repo.referrers.get(d) ?? [])].filter((x) => doomedSet.has(x));
      stack.push({ d, next });
    };
    push(start);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const n = top.next.pop();
      if (n === undefined) {
        post.push(top.d);
        stack.pop();
      } else if (!visited.has(n)) push(n);
    }
  }
  return post.reverse();
}

/**
 * Sizes the index knows, by digest: every manifest's, and every blob a manifest it holds (or held)
 * references, as the descriptor gave it. A sweep needs a stat only for the blobs not in here.
 */
export function knownSizes(index: RegistryIndex): Map<string, number> {
  const out = new Map<string, number>();
  const db = index.db;
  for (const [d, size] of db.prepare('SELECT child, size FROM manifest_refs').raw().iterate() as Iterable<[string, number]>) out.set(d, size);
  for (const [d, size] of db.prepare('SELECT digest, size FROM manifest_info').raw().iterate() as Iterable<[string, number]>) out.set(d, size);
  return out;
}
