/** Where the local registry got an image: the tag's record when it is for this digest, else the manifest's. */
import type { ContentOrigin } from '../contract';
import type { Registry } from '../registry/registry';
import { originOf } from '../usage/usage';

/** The origin of `digest` in `repo` (reached through `tag` when given); `unknown` when nothing was recorded. */
export function localOrigin(registry: Registry, repo: string, tag: string | null, digest: string): ContentOrigin {
  const reads = registry.forBrowsing();
  const byTag = tag ? reads.tagOrigin(repo, tag) : null;
  return originOf(byTag && byTag.digest === digest ? byTag : reads.manifestOrigin(repo, digest));
}
