/**
 * A repository of a remote registry (`HOST[:PORT]/repo`) as an ImageReader, through Berth's remote
 * client: the host's saved connection gives its URL, trust and password; else `--creds`, else none.
 * TLS is spelled as skopeo spells it: https by default, `--ca FILE` to trust one CA, and
 * `--tls-verify=false` to accept any certificate, or plain http when the host does not speak TLS.
 * Failures come back in words (see remote-words.ts).
 */
import { RemoteSource } from '../browse/remote-source';
import type { ConnectionTrust } from '../contract/connections';
import type { RemoteCredentials } from '../remote/auth';
import { RemoteRegistry } from '../remote/client';
import { fetchPeerCertificate } from '../remote/trust';
import type { TransportTimeouts } from '../remote/transport';
import { checkDigest, checkReference } from './image-ref';
import { remoteInWords, type CredentialsOrigin } from './remote-words';
import { registryHostOf, type SavedRemote } from './saved-connection';
import type { ImageReader } from './types';

/** How to reach one remote repository. */
export interface RemoteReaderOptions {
  /** `host[:port]` as the reference wrote it. */
  host: string;
  repository: string;
  /**
   * `--creds`: used when the host has no saved connection with a password. The saved one comes
   * first so that one `--creds` can serve the other side of a diff across two registries.
   */
  credentials?: RemoteCredentials;
  /** `--tls-verify` (default true). */
  tlsVerify?: boolean;
  /** `--ca FILE`'s PEM. */
  caPem?: string;
  /** The host's saved connection, if any. */
  saved?: SavedRemote | null;
  timeouts?: Partial<TransportTimeouts>;
}

/** A remote repository reader that can also say why a tag or digest is missing. */
export interface RemoteImageReader extends ImageReader {
  /** The base URL it talks to (`https://host:port` or, with --tls-verify=false, maybe `http://`). */
  readonly url: string;
  /** Where its credentials came from. */
  readonly credentialsFrom: CredentialsOrigin;
  /** Words for a reference the registry does not have: the repository or the tag is missing. */
  explainMissing(reference: string): Promise<string>;
}

/** Where to connect and with which trust, after `--tls-verify` and `--ca`. */
async function endpoint(opts: RemoteReaderOptions): Promise<{ url: string; trust: ConnectionTrust | undefined }> {
  const host = registryHostOf(opts.host);
  const base = opts.saved?.url ?? `https://${host}`;
  if (opts.caPem) return { url: base.replace(/^http:/, 'https:'), trust: { mode: 'ca', caPem: opts.caPem } };
  if (opts.tlsVerify === false) {
    if (base.startsWith('http:')) return { url: base, trust: undefined };
    // Whatever certificate it presents is accepted (pinned for this run); a host that does not
    // speak TLS is read over plain http, as skopeo does with --tls-verify=false.
    const cert = await fetchPeerCertificate(base, 5_000).catch(() => null);
    if (cert) return { url: base, trust: { mode: 'pin', pinSha256: cert.fingerprintSha256 } };
    return { url: base.replace(/^https:/, 'http:'), trust: undefined };
  }
  return { url: base, trust: opts.saved?.trust };
}

/** Opens a reader of `opts.repository` on `opts.host`. */
export async function openRemoteReader(opts: RemoteReaderOptions): Promise<RemoteImageReader> {
  const saved = opts.saved ?? null;
  const savedCreds = saved?.username && saved.password !== null ? { username: saved.username, password: saved.password } : undefined;
  const credentials = savedCreds ?? opts.credentials;
  const credentialsFrom: CredentialsOrigin = savedCreds ? { saved: saved!.name } : opts.credentials ? 'flag' : 'none';
  const { url, trust } = await endpoint(opts);
  const client = new RemoteRegistry({ url, credentials, trust, timeouts: opts.timeouts });
  const hub = new URL(url).host === 'registry-1.docker.io';
  const source = new RemoteSource({ id: 'cli', name: opts.host, client, kind: hub ? 'dockerhub' : 'registry' });
  const repo = hub && !opts.repository.includes('/') ? `library/${opts.repository}` : opts.repository;
  const label = `${opts.host}/${opts.repository}`;
  const words = <T>(what: string, call: () => Promise<T>) => remoteInWords(call, { host: opts.host, what, credentialsFrom });
  return {
    label,
    url,
    credentialsFrom,
    manifest: (reference) => words(`${label}${reference.includes(':') ? '@' : ':'}${reference}`, () => source.getManifest(opts.repository, checkReference(reference, label))),
    blob: (digest, signal) => words(`blob ${digest} of ${label}`, () => source.getBlob(opts.repository, checkDigest(digest, label), signal)),
    async explainMissing(reference) {
      const tags = await words(`the tags of ${label}`, () => client.tags(repo)).catch(() => undefined);
      if (tags === null) return `${opts.host} has no repository ${opts.repository}${credentialsFrom === 'none' ? ' (or it is private: give credentials with --creds USER:PASS)' : ''}`;
      if (reference.includes(':')) return `${opts.host}/${opts.repository} has no manifest ${reference}`;
      const some = tags && tags.length ? `; its tags: ${tags.slice(0, 20).join(', ')}${tags.length > 20 ? ', ...' : ''}` : '';
      return `${opts.host}/${opts.repository} has no tag ${reference}${some}`;
    },
    close: () => source.close(),
  };
}
