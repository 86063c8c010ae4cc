/**
 * Which platforms a copy takes: the caller's choice, or for a multi-platform index without one,
 * this machine's platform (skopeo's default without --all).
 */
import type { RegistrySource } from '../browse/source';
import type { PlatformChoice } from '../contract';
import { hostPlatform } from '../contents/platform-select';
import { INDEX_TYPES } from '../core/mediatypes';

/** This machine's `os/arch` (no variant: an index's entry without one matches, else the first of that arch). */
export function machinePlatform(): string {
  const p = hostPlatform();
  return `${p.os}/${p.architecture}`;
}

/** True when the manifest `reference` names is an index (a manifest list), false for an image or when it is missing. */
export async function isIndex(source: RegistrySource, repository: string, reference: string): Promise<boolean> {
  const head = await source.headManifest(repository, reference);
  return head !== null && INDEX_TYPES.has(head.mediaType);
}

/**
 * The `platforms` argument of copyImage for `choice`: undefined keeps an index whole; a list
 * selects. A single image is copied as it is whatever the choice (a platform list for it would be
 * refused by the copy: there is nothing to choose).
 */
export async function platformsFor(choice: PlatformChoice | undefined, source: RegistrySource, repository: string, reference: string): Promise<string[] | undefined> {
  if (choice === 'all') return undefined;
  if (!(await isIndex(source, repository, reference))) return undefined;
  return choice ?? [machinePlatform()];
}
