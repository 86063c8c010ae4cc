/**
 * Which image of a multi-arch index to read: the one `--platform` names, else the one that matches
 * this machine, else a clear refusal listing the platforms the index has. Attestation entries
 * (BuildKit's `unknown/unknown` with `vnd.docker.reference.type`) are never chosen.
 */
import { RegistryError } from '../core/errors';
import { formatPlatform, parsePlatform, type PlatformSpec } from '../copy/platforms';

/** An index entry as platform choice needs it. */
export interface PlatformEntry {
  digest: string;
  mediaType: string;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

/** Node's `process.arch` as OCI architecture and variant. */
const ARCHES: Record<string, { architecture: string; variant?: string }> = {
  x64: { architecture: 'amd64' },
  arm64: { architecture: 'arm64', variant: 'v8' },
  arm: { architecture: 'arm', variant: 'v7' },
  ia32: { architecture: '386' },
  ppc64: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
  mips: { architecture: 'mips' },
  mipsel: { architecture: 'mipsle' },
  loong64: { architecture: 'loong64' },
};

/**
 * This machine as an OCI platform. The OS is `linux` on macOS too: the images one reads are Linux
 * ones, and Docker Desktop runs them there in a Linux VM of the same architecture. Windows keeps
 * `windows`, its own container OS.
 */
export function hostPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): PlatformSpec {
  const os = platform === 'win32' ? 'windows' : 'linux';
  const a = ARCHES[arch] ?? { architecture: arch };
  return a.variant ? { os, architecture: a.architecture, variant: a.variant } : { os, architecture: a.architecture };
}

/** True for an attestation or other entry that is not an image one could run. */
export function isAttestation(e: PlatformEntry): boolean {
  if (e.annotations?.['vnd.docker.reference.type']) return true;
  return e.platform?.os === 'unknown' && e.platform.architecture === 'unknown';
}

/** The variant an architecture has when none is written (`arm64` is `v8`, `arm` is `v7`). */
function defaultVariant(architecture: string): string | undefined {
  return architecture === 'arm64' ? 'v8' : architecture === 'arm' ? 'v7' : undefined;
}

/** The entries one may choose, and their `os/arch[/variant]` names. */
export function platformsOf(entries: readonly PlatformEntry[]): string[] {
  return [...new Set(entries.filter((e) => e.platform && !isAttestation(e)).map((e) => formatPlatform(e.platform!)))];
}

/**
 * How well `e` matches `spec`: 2 for the same variant (a missing one read as the architecture's
 * default), 1 for an os/arch match when `spec` names no variant, 0 for none.
 */
function matchScore(e: PlatformEntry, spec: PlatformSpec): number {
  const p = e.platform;
  if (!p || isAttestation(e) || p.os !== spec.os || p.architecture !== spec.architecture) return 0;
  const have = p.variant ?? defaultVariant(p.architecture);
  const want = spec.variant ?? defaultVariant(spec.architecture);
  if (have === want) return 2;
  return spec.variant ? 0 : 1;
}

function best<E extends PlatformEntry>(entries: readonly E[], spec: PlatformSpec): E | undefined {
  let found: E | undefined;
  let score = 0;
  for (const e of entries) {
    const s = matchScore(e, spec);
    if (s > score) [found, score] = [e, s];
  }
  return found;
}

/**
 * The entry of an index to read. `wanted` (`os/arch[/variant]`) must be one of its platforms;
 * without it, the one matching `host`, or the only image the index lists. Throws RegistryError
 * PLATFORM_UNKNOWN listing the index's platforms otherwise (`detail.platforms`).
 */
export function choosePlatform<E extends PlatformEntry>(entries: readonly E[], wanted: string | undefined, host: PlatformSpec = hostPlatform()): E {
  const platforms = platformsOf(entries);
  const listed = platforms.length ? platforms.join(', ') : 'none';
  if (wanted !== undefined) {
    const spec = parsePlatform(wanted);
    if (!spec) {
      throw new RegistryError('PLATFORM_UNKNOWN', {
        message: `${JSON.stringify(wanted)} is not a platform: write os/arch[/variant], e.g. linux/amd64 (the image has ${listed})`,
        detail: { platform: wanted, platforms },
      });
    }
    const found = best(entries, spec);
    if (!found) {
      throw new RegistryError('PLATFORM_UNKNOWN', {
        message: `the image has no platform ${wanted}; it has ${listed}`,
        detail: { platform: wanted, platforms },
      });
    }
    return found;
  }
  const images = entries.filter((e) => !isAttestation(e));
  if (images.length === 1) return images[0]!;
  const found = best(entries, host);
  if (found) return found;
  throw new RegistryError('PLATFORM_UNKNOWN', {
    message: `the image is multi-arch and none of its platforms is this machine's (${formatPlatform(host)}): choose one with --platform (${listed})`,
    detail: { platform: null, platforms },
  });
}
