import { createHash } from 'node:crypto';

/** Every manifest media type a registry may hold; sent as Accept so nothing gets converted. */
export const ACCEPT_ALL = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A manifest as served: its digest, media type and the hash of the bytes. */
export interface ServedManifest {
  digest: string;
  contentType: string;
  size: number;
}

/** One repository as the API serves it. */
export interface RepoView {
  /** Tags, sorted (registry:2 2.8.2 does not sort them). */
  tags: string[];
  /** tag -> digest of the manifest GET by that tag. */
  tagDigests: Record<string, string>;
  /** digest -> manifest, for every manifest reachable from a tag (index children included). */
  manifests: Record<string, ServedManifest>;
  /** digest -> size, for every config and layer reachable from a tag; each was read and hashed. */
  blobs: Record<string, number>;
}

/** What a registry serves, read only through its HTTP API. */
export interface RegistryView {
  catalog: string[];
  repos: Record<string, RepoView>;
}

async function getOk(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  if (res.status !== 200) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res;
}

/** Reads a manifest by tag or digest and checks Docker-Content-Digest against the bytes. */
export async function fetchManifest(base: string, repo: string, ref: string): Promise<{ m: ServedManifest; body: Buffer }> {
  const res = await getOk(`${base}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT_ALL } });
  const body = Buffer.from(await res.arrayBuffer());
  const digest = sha256(body);
  const header = res.headers.get('docker-content-digest');
  if (header !== digest) throw new Error(`${repo}:${ref}: Docker-Content-Digest ${header} but body hashes to ${digest}`);
  if (ref.includes(':') && ref !== digest) throw new Error(`${repo}@${ref}: body hashes to ${digest}`);
  return { m: { digest, contentType: (res.headers.get('content-type') ?? '').split(';')[0]!, size: body.length }, body };
}

/** HEADs and GETs a blob, checks its size and that its bytes hash to its digest; returns the size. */
export async function fetchBlobChecked(base: string, repo: string, digest: string): Promise<number> {
  const head = await getOk(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  const len = Number(head.headers.get('content-length'));
  const res = await getOk(`${base}/v2/${repo}/blobs/${digest}`);
  const body = new Uint8Array(await res.arrayBuffer());
  if (sha256(body) !== digest) throw new Error(`${repo}@${digest}: served bytes hash to ${sha256(body)}`);
  if (body.length !== len) throw new Error(`${repo}@${digest}: HEAD says ${len} bytes, GET gave ${body.length}`);
  return body.length;
}

/** Tags of a repository as served (null list counts as empty), sorted. */
export async function fetchTags(base: string, repo: string): Promise<string[]> {
  const res = await getOk(`${base}/v2/${repo}/tags/list?n=1000`);
  const json = (await res.json()) as { name: string; tags: string[] | null };
  if (json.name !== repo) throw new Error(`tags/list of ${repo} names ${json.name}`);
  return [...(json.tags ?? [])].sort();
}

/** Repository names from `_catalog`, as served (not re-sorted). */
export async function fetchCatalog(base: string): Promise<string[]> {
  const res = await getOk(`${base}/v2/_catalog?n=1000`);
  return ((await res.json()) as { repositories: string[] }).repositories;
}

/**
 * Everything a registry serves from its catalog down: tags, every manifest reachable from a tag
 * (by tag, then again by digest) and every blob they reference, each one hashed. `only` limits the
 * repositories read (the catalog is still read whole); `skipTag` leaves tags out.
 */
export async function snapshotRegistry(
  base: string,
  only?: string[],
  skipTag: (repo: string, tag: string) => boolean = () => false,
): Promise<RegistryView> {
  const catalog = await fetchCatalog(base);
  const repos: Record<string, RepoView> = {};
  for (const name of only ?? catalog) {
    const tags = (await fetchTags(base, name)).filter((t) => !skipTag(name, t));
    const view: RepoView = { tags, tagDigests: {}, manifests: {}, blobs: {} };
    const visit = async (ref: string): Promise<string> => {
      const { m, body } = await fetchManifest(base, name, ref);
      if (view.manifests[m.digest]) return m.digest;
      view.manifests[m.digest] = m;
      const byDigest = await fetchManifest(base, name, m.digest);
      if (byDigest.m.contentType !== m.contentType) throw new Error(`${name}@${m.digest}: media type differs by tag and digest`);
      const json = JSON.parse(body.toString('utf8')) as {
        manifests?: Array<{ digest: string }>;
        config?: { digest: string };
        layers?: Array<{ digest: string }>;
      };
      for (const child of json.manifests ?? []) await visit(child.digest);
      for (const b of [...(json.config ? [json.config] : []), ...(json.layers ?? [])]) {
        view.blobs[b.digest] ??= await fetchBlobChecked(base, name, b.digest);
      }
      return m.digest;
    };
    for (const tag of view.tags) view.tagDigests[tag] = await visit(tag);
    repos[name] = view;
  }
  return { catalog, repos };
}
