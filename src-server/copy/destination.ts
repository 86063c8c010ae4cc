/**
 * The copy's target tag: what it holds now, and the rule that a copy never replaces an image the
 * user did not see. Registries have no conditional PUT, so the rule is checked before anything
 * moves and again just before the tag is written; what is left is the time of one request.
 */
import type { RegistrySource } from '../browse/source';
import type { ManifestBrief } from '../contract';
import { RegistryError } from '../core/errors';
import { ManifestParseError, parseManifest } from '../core/manifest';
import { platformName } from '../browse/config';
import { availablePlatforms } from './platforms';

/** Largest image config read to name a single image's platform. */
const MAX_CONFIG_BYTES = 1 << 20;

/** The digest the tag points at now, or null when it does not exist. */
export async function currentDigest(to: RegistrySource, repository: string, tag: string): Promise<string | null> {
  return (await to.headManifest(repository, tag))?.digest ?? null;
}

/**
 * Throws unless the tag may be written: it already holds `copied`, or `expected` undefined and it
 * does not exist (DESTINATION_EXISTS otherwise), or it is what `expected` says: null (does not
 * exist) or that digest (DESTINATION_CHANGED otherwise). `when` ends the sentence "held X ...".
 */
export function checkDestination(where: string, current: string | null, expected: string | null | undefined, copied: string, when = 'when the copy was confirmed'): void {
  // A tag that holds the copied digest already loses nothing when it is written again.
  if (current === copied) return;
  if (expected === undefined) {
    if (current === null) return;
    throw new RegistryError('DESTINATION_EXISTS', {
      message: `${where} holds another image (${current}); the copy (${copied}) would replace it: preview the copy and confirm the overwrite`,
      detail: { current, copied },
    });
  }
  if (current === expected) return;
  const now = current === null ? 'no longer exists' : `now holds ${current}`;
  const then = expected === null ? `did not exist ${when}` : `held ${expected} ${when}`;
  throw new RegistryError('DESTINATION_CHANGED', {
    message: `${where} ${then} and ${now}: nothing was written; look at it again before copying`,
    detail: { expected, current, copied },
  });
}

/**
 * What a manifest is, in brief: index or image, and its platforms (an index's entries; a single
 * image's from its config, read when it is small, else none).
 */
export async function briefOf(src: RegistrySource, repository: string, m: { digest: string; mediaType: string; body: Buffer }): Promise<ManifestBrief> {
  let info;
  try {
    info = parseManifest(m.body, m.mediaType);
  } catch (err) {
    if (!(err instanceof ManifestParseError)) throw err;
    return { digest: m.digest, mediaType: m.mediaType, kind: 'image', platforms: [] };
  }
  if (info.kind === 'index') return { digest: m.digest, mediaType: info.mediaType, kind: 'index', platforms: availablePlatforms(info.manifests) };
  const platform = info.config ? await configPlatform(src, repository, info.config.digest, info.config.size) : null;
  return { digest: m.digest, mediaType: info.mediaType, kind: 'image', platforms: platform ? [platform] : [] };
}

async function configPlatform(src: RegistrySource, repository: string, digest: string, size: number): Promise<string | null> {
  if (size > MAX_CONFIG_BYTES) return null;
  try {
    const blob = await src.getBlob(repository, digest);
    if (!blob) return null;
    const parts: Buffer[] = [];
    let total = 0;
    for await (const chunk of blob.chunks) {
      total += chunk.length;
      if (total > MAX_CONFIG_BYTES) {
        await blob.cancel();
        return null;
      }
      parts.push(chunk);
    }
    const config = JSON.parse(Buffer.concat(parts).toString('utf8')) as { os?: unknown; architecture?: unknown; variant?: unknown };
    if (typeof config.os !== 'string' || typeof config.architecture !== 'string') return null;
    return platformName({ os: config.os, architecture: config.architecture, variant: typeof config.variant === 'string' ? config.variant : undefined });
  } catch {
    // An artifact's config, or one that cannot be read: the brief just names no platform.
    return null;
  }
}
