import { parseDigest } from '../core/digest';
import type { Registry } from '../registry/registry';
import { paths } from '../storage/layout';

/**
 * Digests of the blobs in storage, from folder names alone (`blobs/<alg>/<xx>/<hex>`): a few hundred
 * directory reads and no stat per blob, since the index already knows the sizes of what manifests
 * reference. (BlobStore.listAll stats every blob; usage needs sizes only of unreferenced ones.)
 */
export async function blobDigestsOnDisk(registry: Registry): Promise<Set<string>> {
  const root = paths.blobsRoot();
  const out = new Set<string>();
  const prefixes: string[] = [];
  for (const alg of await registry.driver.list(root)) {
    for (const xx of await registry.driver.list(`${root}/${alg}`)) prefixes.push(`${alg}/${xx}`);
  }
  await Promise.all(
    prefixes.map(async (prefix) => {
      const [alg, xx] = prefix.split('/') as [string, string];
      for (const hex of await registry.driver.list(`${root}/${prefix}`)) {
        const d = parseDigest(`${alg}:${hex}`);
        // Only where registry:2 would look for it, as BlobStore.listAll does.
        if (d && d.hex.startsWith(xx)) out.add(d.digest);
      }
    }),
  );
  return out;
}

/** Sizes of blobs on disk by digest (blobs gone meanwhile are left out). */
export async function statBlobs(registry: Registry, digests: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  await Promise.all(
    digests.map(async (digest) => {
      const size = await registry.blobs.size(parseDigest(digest)!);
      if (size !== null) out.set(digest, size);
    }),
  );
  return out;
}
