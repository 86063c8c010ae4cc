/**
 * Taking an image's referrers (signatures, SBOMs, attestations) along on a copy: found at the source
 * through its referrers API or its `sha256-<hex>` fallback tag (RegistrySource.referrers does
 * both), planned like images, written by digest, and listed at the target. A target that has no
 * referrers API gets the fallback tag too, so that cosign, oras and Berth find them there.
 */
import type { RegistrySource, SourceReferrer } from '../browse/source';
import { mapLimit } from '../core/concurrency';
import { MediaType } from '../core/mediatypes';
import { referrersTag } from '../remote/referrers';
import { copyFailure } from './failure';
import { planCopy, type PlannedBlob, type PlannedManifest } from './plan';

/** Referrers one copy takes along at most; more are reported as left out. */
export const MAX_COPY_REFERRERS = 64;
/** Levels followed: the image's referrers (1), and theirs (2: a signature of an SBOM). */
const MAX_LEVELS = 2;

/** One referrer to write. */
export interface PlannedReferrer {
  /** The manifest it refers to. */
  subject: string;
  /** As the source listed it (for a fallback index at the target). */
  descriptor: SourceReferrer;
  /** Its manifests, children first (a referrer may be an index). */
  manifests: PlannedManifest[];
}

/** The referrers of a copy. */
export interface ReferrerPlan {
  referrers: PlannedReferrer[];
  /** Their blobs, each once. */
  blobs: PlannedBlob[];
  found: number;
  leftOut: number;
}

/** The referrers of `subjects` (and of those) at the source, planned; at most `limit`, in the order found. */
export async function planReferrers(
  from: RegistrySource,
  repository: string,
  subjects: readonly string[],
  concurrency: number,
  limit = MAX_COPY_REFERRERS,
): Promise<ReferrerPlan> {
  const plan: ReferrerPlan = { referrers: [], blobs: [], found: 0, leftOut: 0 };
  const seen = new Set<string>(subjects);
  const blobs = new Map<string, PlannedBlob>();
  let level = [...subjects];
  for (let depth = 1; depth <= MAX_LEVELS && level.length > 0; depth++) {
    const listed = await mapLimit(level, concurrency, (subject) => listReferrers(from, repository, subject));
    const next: string[] = [];
    for (const [i, list] of listed.entries()) {
      for (const d of list ?? []) {
        if (seen.has(d.digest)) continue;
        seen.add(d.digest);
        plan.found++;
        if (plan.referrers.length >= limit) {
          plan.leftOut++;
          continue;
        }
        plan.referrers.push({ subject: level[i]!, descriptor: d, manifests: [] });
        next.push(d.digest);
      }
    }
    // Each referrer read down to its blobs, like an image copied by digest.
    const fresh = plan.referrers.filter((r) => r.manifests.length === 0);
    const plans = await mapLimit(fresh, concurrency, (r) => planCopy(from, repository, r.descriptor.digest, undefined, concurrency));
    for (const [i, p] of plans.entries()) {
      fresh[i]!.manifests = p.manifests;
      for (const b of p.blobs) if (!blobs.has(b.digest)) blobs.set(b.digest, b);
    }
    level = next;
  }
  plan.blobs = [...blobs.values()];
  return plan;
}

/** How many referrers the subjects have at the source (one level); null when the source cannot list them. */
export async function countReferrers(from: RegistrySource, repository: string, subjects: readonly string[], concurrency: number): Promise<number | null> {
  const lists = await mapLimit(subjects, concurrency, (s) => listReferrers(from, repository, s));
  if (lists.every((l) => l === null)) return null;
  return new Set(lists.flatMap((l) => (l ?? []).map((d) => d.digest))).size;
}

async function listReferrers(from: RegistrySource, repository: string, subject: string): Promise<SourceReferrer[] | null> {
  try {
    return await from.referrers(repository, subject);
  } catch (err) {
    throw copyFailure(err, `listing the referrers of ${subject} in ${repository} on "${from.name}"`, { subject });
  }
}

/**
 * Writes the planned referrers' manifests by digest (blobs are there already), stopping between
 * manifests when `signal` aborts; then, for each subject whose referrers the target does not list,
 * writes its fallback tag (the existing one's entries kept). `onWritten` counts each manifest
 * written. Resolves the number of fallback tags written.
 */
export async function writeReferrers(to: RegistrySource, repository: string, plan: ReferrerPlan, signal: AbortSignal, onWritten: () => void): Promise<number> {
  for (const r of plan.referrers) {
    for (const m of r.manifests) {
      signal.throwIfAborted();
      try {
        await to.putManifest(repository, m.digest, m.body, m.mediaType);
        onWritten();
      } catch (err) {
        throw copyFailure(err, `writing referrer ${m.digest} (of ${r.subject}) to ${repository} on "${to.name}"`, { manifest: m.digest, subject: r.subject });
      }
    }
  }
  const bySubject = new Map<string, SourceReferrer[]>();
  for (const r of plan.referrers) bySubject.set(r.subject, [...(bySubject.get(r.subject) ?? []), r.descriptor]);
  let tags = 0;
  for (const [subject, written] of bySubject) {
    signal.throwIfAborted();
    const what = `recording the referrers of ${subject} in ${repository} on "${to.name}"`;
    try {
      const listed = new Set(((await to.referrers(repository, subject)) ?? []).map((d) => d.digest));
      if (written.every((d) => listed.has(d.digest))) continue;
      await writeFallbackTag(to, repository, subject, written);
      tags++;
    } catch (err) {
      throw copyFailure(err, what, { subject });
    }
  }
  return tags;
}

/** The referrers tag schema: an image index under `sha256-<hex>` listing the referrers, merged with what is there. */
async function writeFallbackTag(to: RegistrySource, repository: string, subject: string, add: SourceReferrer[]): Promise<void> {
  const tag = referrersTag(subject);
  const entries: Array<Record<string, unknown>> = [];
  const existing = await to.getManifest(repository, tag);
  if (existing) {
    try {
      const doc = JSON.parse(existing.body.toString('utf8')) as { manifests?: unknown };
      if (Array.isArray(doc.manifests)) for (const e of doc.manifests) if (e && typeof e === 'object' && typeof (e as { digest?: unknown }).digest === 'string') entries.push(e as Record<string, unknown>);
    } catch {
      // Not an index: replaced by one.
    }
  }
  const have = new Set(entries.map((e) => e.digest));
  for (const d of add) {
    if (have.has(d.digest)) continue;
    entries.push({
      mediaType: d.mediaType,
      digest: d.digest,
      size: d.size,
      ...(d.artifactType ? { artifactType: d.artifactType } : {}),
      ...(Object.keys(d.annotations).length ? { annotations: d.annotations } : {}),
    });
  }
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: entries }));
  await to.putManifest(repository, tag, body, MediaType.OciIndex);
}
