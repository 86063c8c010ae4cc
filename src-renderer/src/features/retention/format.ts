/** Retention in words: what a policy keeps, why a tag is kept, what a run removes. */
import type { RetentionKeepReason, RetentionPolicy, RetentionRemoval, RetentionReport } from '../../../../src-server/contract';
import { count, formatBytes, shortDigest } from '../../app/format';

/** `last 5 · newer than 30d · tags matching ^v\d+ or ^release-`, or `nothing` when no keep rule is set. */
export function describeKeeps(p: RetentionPolicy): string {
  const parts = [
    ...(p.keepLast !== undefined ? [`last ${p.keepLast.toLocaleString()}`] : []),
    ...(p.keepNewerThan ? [`newer than ${p.keepNewerThan}`] : []),
    ...(p.keepTags?.length ? [`tags matching ${p.keepTags.join(' or ')}`] : []),
  ];
  return parts.length ? parts.join(' · ') : 'no keep rule';
}

/** Why a tag is kept, for a policy. */
export function describeReason(r: RetentionKeepReason, p: RetentionPolicy): string {
  switch (r) {
    case 'last':
      return `among the last ${p.keepLast?.toLocaleString() ?? 'N'} pushed`;
    case 'newer':
      return `pushed within ${p.keepNewerThan ?? 'the duration'}`;
    case 'pattern':
      return `matches ${p.keepTags?.join(' or ') ?? 'a pattern'}`;
    case 'no-keep-rule':
      return 'the policy has no keep rule for tags';
  }
}

/** `team/app:v1`, or `team/app@sha256:0123456789ab` for an untagged manifest. */
export function removalReference(r: RetentionRemoval): string {
  return r.tag !== undefined ? `${r.repository}:${r.tag}` : `${r.repository}@${shortDigest(r.digest)}`;
}

/** A removal as one stable key: the repository, the tag or the digest. */
export function removalKey(r: RetentionRemoval): string {
  return r.tag !== undefined ? `${r.repository}:${r.tag}` : `${r.repository}@${r.digest}`;
}

/** `3 tags and 1 untagged manifest`. */
export function describeRemovals(report: Pick<RetentionReport, 'tags' | 'manifests'>): string {
  return `${count(report.tags.length, 'tag')} and ${count(report.manifests.length, 'untagged manifest')}`;
}

/** `frees 12.3 MB once they leave the trash and a garbage collection runs`. */
export function describeFreed(report: RetentionReport): string {
  return `${formatBytes(report.bytesFreed)} freed once they leave the trash and a garbage collection runs`;
}

/**
 * What a run removed that its preview did not list, and what the preview listed that the run did
 * not remove (something changed in between); both empty when the run did exactly what was shown.
 */
export function compareRuns(preview: RetentionReport, run: RetentionReport): { unexpected: string[]; missing: string[] } {
  const keys = (r: RetentionReport) => [...r.tags, ...r.manifests].map(removalKey);
  const before = new Set(keys(preview));
  const after = new Set(keys(run));
  return { unexpected: [...after].filter((k) => !before.has(k)), missing: [...before].filter((k) => !after.has(k)) };
}
