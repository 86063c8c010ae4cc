/**
 * The image readers of `berth files|extract|diff`, one per reference: the local registry (through
 * the read routes of the `berth serve` that owns the data directory, else the directory opened
 * in-process under its lock, only read), a remote registry, or an OCI layout. Each image is checked
 * to exist before the contents service reads it, so that a missing one is said in words.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { repositoryReader } from '../contents/source-reader';
import { LocalSource } from '../browse/local-source';
import type { SourceBlob, SourceManifest } from '../browse/source';
import { checkDigest, checkReference, parseImageRef, type ImageRef } from '../contents/image-ref';
import { digestOf, parseDigest } from '../core/digest';
import { openOciLayout } from '../contents/oci-layout-reader';
import { openRemoteReader, type RemoteImageReader } from '../contents/remote-reader';
import { findSavedRemote } from '../contents/saved-connection';
import { listingCachePath } from '../contents/listing-cache';
import type { ImageAt, ImageReader } from '../contents/types';
import { loadConfig } from '../config/load';
import { isProcessAlive } from '../core/files';
import { readControlFile, type ControlFile } from '../http/control/control-server';
import { createLogger } from '../logger';
import { createServices, type Services } from '../services';
import { withDataDirLock } from '../serving/data-dir-lock';
import type { DataOptions } from './control-client';
import { CliError } from './errors';

/** Options every contents command takes. */
export interface ReaderOptions extends DataOptions {
  platform?: string;
  /** `USER:PASS` for remote registries. */
  creds?: string;
  /** `--tls-verify <bool>` as commander hands it over. */
  tlsVerify?: string | boolean;
  /** `--ca FILE`. */
  ca?: string;
}

/** What a contents command runs with: its images, and where listings are cached. */
export interface OpenedImages {
  images: ImageAt[];
  /** The cache file, or null when the data directory does not exist. */
  cachePath: string | null;
}

/** `--tls-verify` as a boolean (`true`, `false`, `1`, `0`, `yes`, `no`). */
export function parseTlsVerify(value: string | boolean | undefined): boolean {
  if (value === undefined || typeof value === 'boolean') return value ?? true;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new CliError(`--tls-verify takes true or false, not ${JSON.stringify(value)}`);
}

/** `USER:PASS` (the password may hold colons). */
export function parseCreds(value: string | undefined): { username: string; password: string } | undefined {
  if (value === undefined) return undefined;
  const colon = value.indexOf(':');
  if (colon <= 0) throw new CliError('--creds takes USER:PASS');
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

/**
 * Opens a reader for each reference, runs `fn` on them, and closes them. Local references share
 * one way in: the running server's control listener, else the data directory opened once,
 * in-process, under its lock (so that no server starts on it meanwhile).
 */
export async function withImages<T>(texts: string[], opts: ReaderOptions, fn: (opened: OpenedImages) => Promise<T>): Promise<T> {
  const refs = texts.map((t) => {
    try {
      return parseImageRef(t);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  });
  const { config } = loadConfig(opts);
  const dataDir = config.dataDir;
  const hasData = existsSync(dataDir);
  const cachePath = hasData ? listingCachePath(dataDir) : null;
  const local = refs.some((r) => r.kind === 'local');
  if (local && !hasData) throw new CliError(`data directory ${dataDir} not found (local images are read from it; give --data)`);
  const ctl = local ? liveControl(dataDir) : null;
  const run = async (services: Services | null) => {
    const readers: ImageReader[] = [];
    try {
      const images: ImageAt[] = [];
      for (const ref of refs) {
        const { reader, reference } = await openReader(ref, opts, hasData ? dataDir : null, ctl, services);
        readers.push(reader);
        await mustExist(reader, reference);
        images.push({ reader, reference, platform: opts.platform });
      }
      return await fn({ images, cachePath });
    } finally {
      await Promise.all(readers.map((r) => r.close?.().catch(() => {})));
    }
  };
  if (!local || ctl) return run(null);
  return withDataDirLock(dataDir, 'this command', 10_000, async () => {
    // A server may have started while we waited for the lock.
    const now = liveControl(dataDir);
    if (now) return withImages(texts, opts, fn);
    let services: Services;
    try {
      services = await createServices({ dataDir, deleteEnabled: config.deleteEnabled, log: createLogger('warn'), s3: config.s3 });
    } catch (err) {
      throw new CliError(`cannot open data directory ${dataDir}: ${(err as Error).message}`);
    }
    try {
      return await run(services);
    } finally {
      services.close();
    }
  });
}

function liveControl(dataDir: string): ControlFile | null {
  const ctl = readControlFile(dataDir);
  return ctl && isProcessAlive(ctl.pid) ? ctl : null;
}

async function openReader(
  ref: ImageRef,
  opts: ReaderOptions,
  dataDir: string | null,
  ctl: ControlFile | null,
  services: Services | null,
): Promise<{ reader: ImageReader; reference: string }> {
  if (ref.kind === 'oci') {
    const layout = await openOciLayout(ref.dir).catch((err: Error) => {
      throw new CliError(err.message);
    });
    try {
      return { reader: layout, reference: layout.resolve(ref.tag) };
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  }
  if (ref.kind === 'remote') {
    const caPem = opts.ca === undefined ? undefined : readCa(opts.ca);
    const saved = dataDir ? await findSavedRemote(dataDir, ref.host) : null;
    const reader = await openRemoteReader({
      host: ref.host,
      repository: ref.repository,
      credentials: parseCreds(opts.creds),
      tlsVerify: parseTlsVerify(opts.tlsVerify),
      caPem,
      saved,
    });
    return { reader, reference: ref.reference };
  }
  if (ctl) return { reader: controlReader(ctl, ref.repository), reference: ref.reference };
  const source = new LocalSource(services!.registry, () => 'localhost');
  return { reader: repositoryReader(source, ref.repository, `local ${ref.repository}`), reference: ref.reference };
}

/** Reads `--ca FILE` (a PEM certificate), refusing in words what is not one. */
export function readCa(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`--ca ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!pem.includes('BEGIN CERTIFICATE')) throw new CliError(`--ca ${file} is not a PEM certificate`);
  return pem;
}

/** Refuses, in words, a reference the reader does not have. */
async function mustExist(reader: ImageReader, reference: string): Promise<void> {
  if (await reader.manifest(reference)) return;
  const remote = reader as Partial<RemoteImageReader>;
  if (remote.explainMissing) throw new CliError(await remote.explainMissing(reference));
  throw new CliError(`${reader.label} has no ${reference.includes(':') ? 'manifest' : 'tag'} ${reference}`);
}

/** Reads one repository of the local registry through the running server's read routes. */
export function controlReader(ctl: ControlFile, repository: string): ImageReader {
  const base = `${ctl.url}/read/${repository}`;
  const get = async (path: string, signal?: AbortSignal): Promise<Response | null> => {
    let res: Response;
    try {
      res = await fetch(`${base}/${path}`, { headers: { Authorization: `Bearer ${ctl.token}` }, signal });
    } catch (err) {
      throw new CliError(`cannot read from berth serve (pid ${ctl.pid}): ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (res.status !== 200) {
      const text = await res.text().catch(() => '');
      let message = `answered ${res.status}`;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // Not an envelope: keep the status.
      }
      throw new CliError(res.status === 401 ? `berth serve (pid ${ctl.pid}) refused the token in control.json; is the file another server's?` : `berth serve: ${message}`);
    }
    return res;
  };
  return {
    label: `local ${repository}`,
    async manifest(reference): Promise<SourceManifest | null> {
      const res = await get(`manifests/${checkReference(reference, `local ${repository}`)}`);
      if (!res) return null;
      const body = Buffer.from(await res.arrayBuffer());
      const wanted = parseDigest(reference);
      const digest = digestOf(body, wanted?.algorithm ?? 'sha256');
      if (wanted && digest !== reference) throw new CliError(`berth serve sent a manifest hashing to ${digest} for ${reference}`);
      return { digest: wanted ? reference : (res.headers.get('docker-content-digest') ?? digest), mediaType: res.headers.get('content-type') ?? '', body };
    },
    async blob(digest, signal): Promise<SourceBlob | null> {
      const res = await get(`blobs/${checkDigest(digest, `local ${repository}`)}`, signal);
      if (!res || !res.body) return null;
      const stream = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      stream.on('error', () => {});
      return { size: Number(res.headers.get('content-length') ?? 0), chunks: stream, cancel: async () => void stream.destroy() };
    },
  };
}
