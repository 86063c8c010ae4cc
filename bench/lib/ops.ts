import { createHash, randomBytes } from 'node:crypto';
import type { Blob } from './payload';
import { expectStatus, location, nextLink, request } from './http';

/** Media types the bench pushes and accepts. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** What a pulling client sends: every manifest type registry:2 and Berth serve. */
export const MANIFEST_ACCEPT = [
  OCI_MANIFEST,
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** Extra request headers (e.g. Authorization). */
type Headers = Record<string, string>;

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const digestHeader = (h: Record<string, string | string[] | undefined>) => h['docker-content-digest'];

/** POST, then one PUT carrying the whole blob (streamed, Content-Length set). */
export async function uploadMonolithic(base: string, repo: string, blob: Blob): Promise<void> {
  const post = expectStatus(await request(`${base}/v2/${repo}/blobs/uploads/`, 'POST', { headers: { 'Content-Length': 0 } }), 202, 'POST upload');
  const url = location(post, base);
  url.searchParams.set('digest', blob.digest);
  const put = await request(url, 'PUT', {
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.size },
    body: blob.stream(),
  });
  expectStatus(put, 201, 'PUT upload');
  if (digestHeader(put.headers) !== blob.digest) throw new Error(`PUT upload answered digest ${digestHeader(put.headers)}, expected ${blob.digest}`);
}

/** POST, PATCH chunks of `chunk` bytes with Content-Range (following Location each time), then PUT. */
export async function uploadChunked(base: string, repo: string, blob: Blob, chunk: number): Promise<void> {
  const post = expectStatus(await request(`${base}/v2/${repo}/blobs/uploads/`, 'POST', { headers: { 'Content-Length': 0 } }), 202, 'POST upload');
  let url = location(post, base);
  for (let start = 0; start < blob.size; start += chunk) {
    const end = Math.min(start + chunk, blob.size);
    const patch = await request(url, 'PATCH', {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${start}-${end - 1}`, 'Content-Length': end - start },
      body: blob.stream(start, end),
    });
    expectStatus(patch, 202, `PATCH ${start}-${end - 1}`);
    if (patch.headers.range !== `0-${end - 1}`) throw new Error(`PATCH answered Range ${patch.headers.range}, expected 0-${end - 1}`);
    url = location(patch, base);
  }
  url.searchParams.set('digest', blob.digest);
  const put = expectStatus(await request(url, 'PUT', { headers: { 'Content-Length': 0 } }), 201, 'PUT upload');
  if (digestHeader(put.headers) !== blob.digest) throw new Error(`PUT upload answered digest ${digestHeader(put.headers)}, expected ${blob.digest}`);
}

/** HEAD on the blob: throws unless it exists with the expected size. */
export async function checkBlob(base: string, repo: string, blob: { digest: string; size: number }): Promise<void> {
  const head = expectStatus(await request(`${base}/v2/${repo}/blobs/${blob.digest}`, 'HEAD'), 200, `HEAD blob ${blob.digest}`);
  if (Number(head.headers['content-length']) !== blob.size) throw new Error(`HEAD blob: size ${head.headers['content-length']}, expected ${blob.size}`);
}

/** GETs a blob, hashing it as it streams by and dropping the bytes; throws on a wrong digest or size. */
export async function download(base: string, repo: string, blob: { digest: string; size: number }): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  const reply = await request(`${base}/v2/${repo}/blobs/${blob.digest}`, 'GET', {
    sink: (c) => {
      size += c.length;
      hash.update(c);
    },
  });
  expectStatus(reply, 200, 'GET blob');
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== blob.digest || size !== blob.size) throw new Error(`GET blob: got ${got} (${size} bytes), expected ${blob.digest} (${blob.size})`);
}

/** Uploads a small buffer in one POST + PUT; returns its descriptor. */
async function pushSmall(base: string, repo: string, data: Buffer, mediaType: string, auth: Headers = {}) {
  const digest = sha256(data);
  const post = expectStatus(await request(`${base}/v2/${repo}/blobs/uploads/`, 'POST', { headers: { ...auth, 'Content-Length': 0 } }), 202, 'POST upload');
  const url = location(post, base);
  url.searchParams.set('digest', digest);
  expectStatus(await request(url, 'PUT', { headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Length': data.length }, body: data }), 201, 'PUT upload');
  return { mediaType, digest, size: data.length };
}

/** A tiny single-layer OCI image: its manifest bytes, digest and the blobs it references. */
export interface TinyImage {
  repo: string;
  manifest: Buffer;
  digest: string;
  blobs: string[];
}

/** Pushes a tiny OCI image (1 KiB layer) to `repo:tag`; `auth` is sent with every request. */
export async function pushTinyImage(base: string, repo: string, tag: string, auth: Headers = {}): Promise<TinyImage> {
  const layer = await pushSmall(base, repo, randomBytes(1024), 'application/vnd.oci.image.layer.v1.tar', auth);
  const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }));
  const config = await pushSmall(base, repo, cfg, 'application/vnd.oci.image.config.v1+json', auth);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }));
  const image = { repo, manifest, digest: sha256(manifest), blobs: [config.digest, layer.digest] };
  await putManifest(base, repo, tag, image, auth);
  return image;
}

/** PUTs the image's manifest under `ref`, checking the digest the server answers. */
export async function putManifest(base: string, repo: string, ref: string, image: TinyImage, auth: Headers = {}): Promise<void> {
  const put = await request(`${base}/v2/${repo}/manifests/${ref}`, 'PUT', {
    headers: { ...auth, 'Content-Type': OCI_MANIFEST, 'Content-Length': image.manifest.length },
    body: image.manifest,
  });
  expectStatus(put, 201, `PUT manifest ${repo}:${ref}`);
  if (digestHeader(put.headers) !== image.digest) throw new Error(`PUT manifest answered ${digestHeader(put.headers)}, expected ${image.digest}`);
}

/** Pushes the image into another repository: blobs by cross-repo mount (201), then the manifest. */
export async function mountImage(base: string, repo: string, tag: string, image: TinyImage): Promise<void> {
  for (const digest of image.blobs) {
    const url = `${base}/v2/${repo}/blobs/uploads/?mount=${digest}&from=${image.repo}`;
    expectStatus(await request(url, 'POST', { headers: { 'Content-Length': 0 } }), 201, `mount ${digest} into ${repo}`);
  }
  await putManifest(base, repo, tag, image);
}

/** GETs the manifest by tag and throws unless the body and Docker-Content-Digest are the pushed ones. */
export async function checkManifest(base: string, repo: string, tag: string, image: TinyImage, auth: Headers = {}): Promise<void> {
  const get = expectStatus(await request(`${base}/v2/${repo}/manifests/${tag}`, 'GET', { headers: { ...auth, Accept: MANIFEST_ACCEPT } }), 200, 'GET manifest');
  if (sha256(get.body) !== image.digest || digestHeader(get.headers) !== image.digest) {
    throw new Error(`GET manifest: body ${sha256(get.body)}, header ${digestHeader(get.headers)}, expected ${image.digest}`);
  }
}

/** Walks a paged list (`_catalog` or `tags/list`) from `first`, following Link; returns every entry and the page count. */
export async function walkList(base: string, first: string, key: 'repositories' | 'tags', maxPages = 10_000): Promise<{ items: string[]; pages: number }> {
  const items: string[] = [];
  let url: URL | undefined = new URL(first, base);
  let pages = 0;
  while (url) {
    if (++pages > maxPages) throw new Error(`more than ${maxPages} pages from ${first}`);
    const reply = expectStatus(await request(url, 'GET'), 200, `GET ${url.pathname}${url.search}`);
    const page = JSON.parse(reply.body.toString('utf8')) as Record<string, string[] | null>;
    items.push(...(page[key] ?? []));
    url = nextLink(reply, base);
  }
  return { items, pages };
}
