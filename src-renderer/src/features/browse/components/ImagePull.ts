/** Pull references of an image: by tag (`host/repo:tag`) and by digest (the server's `pullByDigest`). */
import type { ImageDetails } from '../../../../../src-server/contract';

/** True when a reference is a digest (`sha256:...`) rather than a tag. */
export function isDigestReference(reference: string): boolean {
  // A tag never holds a colon; a digest always does.
  return reference.includes(':');
}

/** The host clients pull from: `pullByDigest` without `/<repository>@<digest>`. */
export function pullHostOf(image: Pick<ImageDetails, 'pullByDigest' | 'repository'>): string {
  const at = image.pullByDigest.lastIndexOf('@');
  const base = at >= 0 ? image.pullByDigest.slice(0, at) : image.pullByDigest;
  const suffix = `/${image.repository}`;
  return base.endsWith(suffix) ? base.slice(0, -suffix.length) : (base.split('/')[0] ?? base);
}

/** The tag to pull by: the reference when it is a tag, else the first tag on the digest, else null. */
export function pullTagOf(image: Pick<ImageDetails, 'reference' | 'tags'>): string | null {
  if (!isDigestReference(image.reference)) return image.reference;
  return image.tags[0] ?? null;
}

/** `host/repo:tag`, or null when the image has no tag. */
export function pullByTag(image: Pick<ImageDetails, 'pullByDigest' | 'repository' | 'reference' | 'tags'>): string | null {
  const tag = pullTagOf(image);
  return tag === null ? null : `${pullHostOf(image)}/${image.repository}:${tag}`;
}

/** The clients the image screen writes pull commands for. */
export const PULL_CLIENTS = ['docker', 'podman', 'skopeo'] as const;
/** One of {@link PULL_CLIENTS}. */
export type PullClient = (typeof PULL_CLIENTS)[number];

/** How the registry is reached: plain HTTP needs `--tls-verify=false` for podman and skopeo. */
export interface PullTransport {
  plainHttp: boolean;
}

/**
 * The command that pulls `reference` (`host/repo:tag` or `host/repo@digest`) with a client. skopeo
 * copies into an OCI layout named after the repository's last part, tagged like the image (by
 * digest: no tag). Over plain HTTP podman and skopeo need `--tls-verify=false`, as README's "Push a
 * first image" says; docker allows plain HTTP on loopback by itself (elsewhere see {@link dockerNeedsInsecure}).
 */
export function pullCommand(client: PullClient, reference: string, transport: PullTransport): string {
  if (client === 'docker') return `docker pull ${reference}`;
  if (client === 'podman') return `podman pull${transport.plainHttp ? ' --tls-verify=false' : ''} ${reference}`;
  const at = reference.indexOf('@');
  const path = at >= 0 ? reference.slice(0, at) : reference.replace(/:[^:/]+$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  const tag = at >= 0 ? null : reference.slice(path.length + 1);
  return `skopeo copy${transport.plainHttp ? ' --src-tls-verify=false' : ''} docker://${reference} oci:${name}${tag ? `:${tag}` : ''}`;
}

/** True when docker must list `host` under `insecure-registries`: plain HTTP to a host that is not loopback. */
export function dockerNeedsInsecure(host: string, transport: PullTransport): boolean {
  if (!transport.plainHttp) return false;
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return !(name === 'localhost' || name === '::1' || /^127\./.test(name));
}

/** Whether a connection's base URL is plain HTTP (unknown URLs count as HTTPS: no flag is suggested). */
export function transportOf(url: string | null | undefined): PullTransport {
  return { plainHttp: typeof url === 'string' && url.toLowerCase().startsWith('http:') };
}
