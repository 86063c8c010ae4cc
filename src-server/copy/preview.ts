/**
 * What a copy would do, before it runs: the manifest it would write (after choosing platforms),
 * what the target tag holds now, and how many referrers could come along. The GUI shows it, and
 * the copy then carries the target digest the user confirmed.
 */
import type { RegistrySource } from '../browse/source';
import type { CopyPreview } from '../contract';
import { parseDigest } from '../core/digest';
import { briefOf } from './destination';
import { copyFailure } from './failure';
import { planCopy } from './plan';
import { countReferrers } from './referrers';
import type { CopyImageArgs } from './copy-image';

/** The preview of `copyImage(from, to, args)`; reads only. */
export async function previewCopy(
  from: RegistrySource,
  to: RegistrySource,
  args: Omit<CopyImageArgs, 'expectDestination'>,
  concurrency: number,
): Promise<CopyPreview> {
  const plan = await planCopy(from, args.fromRepository, args.fromReference, args.platforms, concurrency);
  const top = plan.manifests[plan.manifests.length - 1]!;
  const tag = args.toReference !== undefined && !parseDigest(args.toReference) ? args.toReference : null;
  const [source, current, referrers] = await Promise.all([
    briefOf(from, args.fromRepository, top),
    tag === null ? null : readTarget(to, args.toRepository, tag),
    countReferrers(
      from,
      args.fromRepository,
      plan.manifests.filter((m) => !m.synthesized).map((m) => m.digest),
      concurrency,
    ),
  ]);
  const destination = current && (await briefOf(to, args.toRepository, current));
  const outcome = tag === null ? 'untagged' : destination === null ? 'new' : destination.digest === source.digest ? 'same' : 'overwrite';
  return { source, destination, outcome, referrers };
}

async function readTarget(to: RegistrySource, repository: string, tag: string) {
  try {
    return await to.getManifest(repository, tag);
  } catch (err) {
    throw copyFailure(err, `reading what ${repository}:${tag} on "${to.name}" holds`, { repository, tag });
  }
}
