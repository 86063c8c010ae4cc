/**
 * Choosing platforms out of an image index: `os/arch[/variant]` strings as the GUI and CLIs write
 * them, matched against the index's `platform` descriptors.
 */
import { RegistryError } from '../core/errors';
import type { Descriptor, Platform } from '../core/manifest';

/** A requested platform. */
export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

const PART = '[a-z0-9][a-z0-9._-]*';
const PLATFORM_RE = new RegExp(`^(${PART})/(${PART})(?:/(${PART}))?$`, 'i');

/** Parses `os/arch[/variant]` (`linux/arm64`, `linux/arm/v7`); null when it is not one. */
export function parsePlatform(value: string): PlatformSpec | null {
  const m = PLATFORM_RE.exec(value);
  if (!m) return null;
  return m[3] ? { os: m[1]!, architecture: m[2]!, variant: m[3] } : { os: m[1]!, architecture: m[2]! };
}

/** `os/arch[/variant]` of an index entry's platform. */
export function formatPlatform(p: Platform | PlatformSpec): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * The platforms an index offers, as `os/arch[/variant]`, in its order. Entries without a platform
 * and BuildKit's attestation entries (`unknown/unknown`) are not platforms one can choose.
 */
export function availablePlatforms(entries: readonly Descriptor[]): string[] {
  return [...new Set(entries.filter(isPlatformEntry).map((e) => formatPlatform(e.platform!)))];
}

function isPlatformEntry(e: Descriptor): boolean {
  return !!e.platform && !(e.platform.os === 'unknown' && e.platform.architecture === 'unknown');
}

/**
 * The index entries for the requested platforms, in the index's order, each entry once. A request
 * without a variant takes the entry without one if there is one, else the first of that os/arch
 * (`linux/arm` picks `linux/arm/v7` when that is the only arm). A platform the index lacks is a
 * PLATFORM_UNKNOWN error listing the available ones.
 */
export function selectPlatforms(entries: readonly Descriptor[], requested: readonly string[], where: string): Descriptor[] {
  const chosen = new Set<Descriptor>();
  for (const text of requested) {
    const spec = parsePlatform(text);
    if (!spec) throw new RegistryError('PLATFORM_UNKNOWN', { message: `${JSON.stringify(text)} is not a platform (os/arch[/variant])`, detail: { platform: text } });
    const candidates = entries.filter(
      (e) => isPlatformEntry(e) && e.platform!.os === spec.os && e.platform!.architecture === spec.architecture,
    );
    const match = spec.variant
      ? candidates.find((e) => e.platform!.variant === spec.variant)
      : (candidates.find((e) => !e.platform!.variant) ?? candidates[0]);
    if (!match) {
      const available = availablePlatforms(entries);
      throw new RegistryError('PLATFORM_UNKNOWN', {
        message: `${where} has no platform ${text}; available: ${available.join(', ') || 'none'}`,
        detail: { platform: text, available },
      });
    }
    chosen.add(match);
  }
  return entries.filter((e) => chosen.has(e));
}
