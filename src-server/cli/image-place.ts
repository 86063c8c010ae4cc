/**
 * Image references of `berth copy`, `berth export` and `berth import`, in skopeo's syntax:
 *
 *   REPO[:TAG] | REPO@DIGEST                  the local registry
 *   HOST[:PORT]/REPO[:TAG], docker://HOST/... a registry host (its saved connection's password, else --creds)
 *   oci:DIR[:TAG]                             an OCI image layout folder
 *   oci-archive:FILE[:TAG]                    an OCI archive
 *   docker-archive:FILE[:REPO:TAG]            a docker archive (docker save / docker load)
 *
 * As skopeo reads them, a file reference splits at the first `:` after the transport: what follows
 * names the image inside the file. Relative paths are taken from the current directory (the core
 * that acts on them may run in another process).
 */
import { resolve } from 'node:path';
import type { HostAccess, ImagePlace } from '../contract';
import { LOCAL_CONNECTION_ID } from '../contract';
import { ImageRefError, parseImageRef } from '../contents/image-ref';
import { CliError } from './errors';

/** skopeo's transports Berth does not read, and what to use instead. */
const OTHER_TRANSPORTS = ['dir', 'containers-storage', 'docker-daemon', 'ostree', 'sif', 'tarball'];

const FILE_TRANSPORTS = ['oci', 'oci-archive', 'docker-archive'] as const;

/** Parses one reference; `access` goes with a registry host. Throws CliError in words. */
export function parseImagePlace(text: string, access?: HostAccess, cwd: string = process.cwd()): ImagePlace {
  if (typeof text !== 'string' || text.trim() === '') throw new CliError('an image reference is empty');
  for (const t of FILE_TRANSPORTS) {
    if (text.startsWith(`${t}:`)) return filePlace(t, text.slice(t.length + 1), text, cwd);
  }
  const other = OTHER_TRANSPORTS.find((t) => text.startsWith(`${t}:`));
  if (other) throw new CliError(`${other}: is not a transport Berth reads; use docker://, oci:, oci-archive: or docker-archive:`);
  const bare = text.startsWith('docker://') ? text.slice('docker://'.length) : text;
  const explicitRef = hasReference(bare);
  let ref;
  try {
    ref = parseImageRef(text.startsWith('docker://') && !hostFirst(bare) ? `docker.io/${bare}` : bare);
  } catch (err) {
    throw new CliError(err instanceof ImageRefError ? err.message : (err as Error).message);
  }
  if (ref.kind === 'oci') throw new CliError(`${text} is not a registry reference`);
  const reference = explicitRef ? ref.reference : undefined;
  if (ref.kind === 'local') return { transport: 'registry', connection: LOCAL_CONNECTION_ID, repository: ref.repository, ...(reference ? { reference } : {}) };
  const repository = (ref.host === 'docker.io' || ref.host === 'index.docker.io') && !ref.repository.includes('/') ? `library/${ref.repository}` : ref.repository;
  return { transport: 'host', host: ref.host, repository, ...(reference ? { reference } : {}), ...(access && Object.keys(access).length ? { access } : {}) };
}

function filePlace(transport: (typeof FILE_TRANSPORTS)[number], rest: string, whole: string, cwd: string): ImagePlace {
  const colon = rest.indexOf(':');
  const path = colon >= 0 ? rest.slice(0, colon) : rest;
  const reference = colon >= 0 ? rest.slice(colon + 1) : undefined;
  if (!path) throw new CliError(`${whole}: ${transport}: needs a path, as in ${transport}:./images.tar`);
  if (path.includes('\0')) throw new CliError(`${whole}: the path holds a NUL character`);
  if (reference !== undefined && reference === '') throw new CliError(`${whole}: nothing follows the ':' after the path`);
  return { transport, path: resolve(cwd, path), ...(reference !== undefined ? { reference } : {}) };
}

/** True when the last path component carries `:tag` or `@digest`. */
function hasReference(text: string): boolean {
  if (text.includes('@')) return true;
  const slash = text.lastIndexOf('/');
  return text.slice(slash + 1).includes(':');
}

/** True when the first component names a host (`.`, `:`, or `localhost`), as docker tells them. */
function hostFirst(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash <= 0) return false;
  const first = text.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}
