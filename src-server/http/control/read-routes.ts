/**
 * Read-only routes of the control listener, so that `berth files|extract|diff` read the local
 * registry through the `berth serve` that owns the data directory (its index and write gate stay
 * the only ones), the way a registry client would, but behind the control token:
 *
 *   GET /read/<repo>/manifests/<tag|digest>   200 the manifest (Content-Type, Docker-Content-Digest)
 *   GET /read/<repo>/blobs/<digest>           200 the blob, streamed (Content-Length)
 *
 * Anything missing is a 404 and a bad name, tag or digest a 400, each as one envelope line like
 * the rest of the listener. The token is checked by the caller before these run.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Code, Envelope } from '../../contract';
import { parseDigest } from '../../core/digest';
import { isValidName, isValidTag } from '../../core/names';
import type { RegistrySource } from '../../browse/source';
import type { Logger } from '../../logger';

/** What the read routes read: the local registry as a source. */
export type ReadSource = Pick<RegistrySource, 'getManifest' | 'getBlob'>;

const ROUTE = /^\/read\/(.+)\/(manifests|blobs)\/([^/?]+)$/;

/** True when the request is for a read route (whatever its method). */
export function isReadRoute(url: string | undefined): boolean {
  return (url ?? '').startsWith('/read/');
}

function send(res: ServerResponse, status: number, envelope: Envelope<unknown>): void {
  res.writeHead(status, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(envelope) + '\n');
}

const fail = (res: ServerResponse, status: number, code: Code, message: string) => send(res, status, { ok: false, error: { code, message } });

/** Answers one read route. */
export async function handleReadRoute(req: IncomingMessage, res: ServerResponse, source: ReadSource, log: Logger): Promise<void> {
  req.resume();
  if (req.method !== 'GET') {
    res.setHeader('Allow', 'GET');
    return fail(res, 405, 'UNSUPPORTED', 'use GET');
  }
  const m = ROUTE.exec(req.url ?? '');
  if (!m) return fail(res, 404, 'NOT_FOUND', `no read route ${JSON.stringify(req.url)}`);
  let repo: string;
  let ref: string;
  try {
    repo = decodeURIComponent(m[1]!);
    ref = decodeURIComponent(m[3]!);
  } catch {
    return fail(res, 400, 'NAME_INVALID', 'the path is not valid percent-encoding');
  }
  if (!isValidName(repo)) return fail(res, 400, 'NAME_INVALID', `${JSON.stringify(repo)} is not a repository name`);
  const digest = parseDigest(ref);
  try {
    if (m[2] === 'manifests') {
      if (!digest && !isValidTag(ref)) return fail(res, 400, 'TAG_INVALID', `${JSON.stringify(ref)} is not a tag or digest`);
      const manifest = await source.getManifest(repo, ref);
      if (!manifest) return fail(res, 404, 'MANIFEST_UNKNOWN', `${repo} has no manifest ${ref}`);
      res.writeHead(200, {
        'Content-Type': manifest.mediaType,
        'Content-Length': manifest.body.length,
        'Docker-Content-Digest': manifest.digest,
        'Cache-Control': 'no-store',
      });
      res.end(manifest.body);
      return;
    }
    if (!digest) return fail(res, 400, 'DIGEST_INVALID', `${JSON.stringify(ref)} is not a digest`);
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    const blob = await source.getBlob(repo, digest.digest, ac.signal);
    if (!blob) return fail(res, 404, 'BLOB_UNKNOWN', `${repo} has no blob ${digest.digest}`);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.size, 'Docker-Content-Digest': digest.digest });
    // A client that goes away ends the read; the pipeline's error is then nobody's to report.
    await pipeline(Readable.from(blob.chunks), res).catch(async () => {
      await blob.cancel().catch(() => {});
      res.destroy();
    });
  } catch (err) {
    log.error(`control read ${req.url}: ${(err as Error).message}`);
    if (!res.headersSent) fail(res, 500, 'INTERNAL', 'the read failed; see the server log');
    else res.destroy();
  }
}
