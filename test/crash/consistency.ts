import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { blobExists, readRepositoriesOnDisk, verifyBlobs } from '../helpers/verify';
import { fetchBlobChecked, fetchCatalog, fetchManifest, fetchTags } from '../interop/snapshot';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every file or folder under `dir` named like a temp file (`*.tmp-*`), outside `_uploads` and `blobs` (checked on its own). */
function tempFilesOutsideUploads(dir: string, rel = ''): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(join(dir, rel));
  } catch {
    return out;
  }
  for (const e of entries) {
    const child = rel ? `${rel}/${e}` : e;
    if (e === '_uploads' || child === 'blobs') continue;
    if (e.includes('.tmp-')) out.push(child);
    if (statSync(join(dir, child)).isDirectory()) out.push(...tempFilesOutsideUploads(dir, child));
  }
  return out;
}

/**
 * Crash residue outside `_uploads` (empty when a kill left nothing but upload folders): temp files,
 * blob folders without `data` or with other files, tag folders without `current/link`. None of it
 * is served, but registry:2 lists a tag folder without `current/link` and then answers 404 for it.
 */
export async function findLeftovers(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const s of (await verifyBlobs(dataDir)).strays) out.push(`stray entry in the blob tree: ${s}`);
  for (const t of tempFilesOutsideUploads(join(dataDir, 'docker/registry/v2'))) out.push(`temp file outside _uploads: ${t}`);
  for (const [name, repo] of readRepositoriesOnDisk(dataDir)) {
    for (const t of repo.brokenTags) out.push(`${name}: tag folder ${t} has no current/link`);
  }
  return out;
}

/**
 * Checks a data directory and the registry serving it against each other, the way a crash could
 * break them. Resolves a list of problems (empty when all holds):
 * - every blob `data` file hashes to its digest;
 * - every tag points at a revision of its repository, every revision and `_layers` link has content;
 * - `_uploads` holds only upload folders;
 * - `_catalog` and every tags list equal what the link files on disk say; a manifest GET by each tag
 *   answers the digest in the tag's current/link; every revision and every linked blob is served
 *   with bytes that hash to its digest.
 */
export async function findProblems(base: string, dataDir: string): Promise<string[]> {
  const problems: string[] = [];
  const blobs = await verifyBlobs(dataDir);
  for (const b of blobs.bad) problems.push(`blob ${b.digest} holds content hashing to ${b.actual} (${b.size} bytes)`);

  const disk = readRepositoriesOnDisk(dataDir);
  const expectedCatalog: string[] = [];
  for (const [name, repo] of disk) {
    for (const d of repo.revisions) if (!blobExists(dataDir, d)) problems.push(`${name}: revision ${d} has no content`);
    for (const d of repo.layers) if (!blobExists(dataDir, d)) problems.push(`${name}: layer link ${d} has no content`);
    for (const [tag, d] of repo.tags) if (!repo.revisions.includes(d)) problems.push(`${name}:${tag} points at ${d}, not a revision`);
    for (const u of repo.uploads) {
      const dir = join(dataDir, 'docker/registry/v2/repositories', name, '_uploads', u);
      if (!UUID_RE.test(u) || !statSync(dir).isDirectory()) problems.push(`${name}: _uploads holds ${u}, not an upload folder`);
    }
    if (repo.revisions.length > 0) expectedCatalog.push(name);
  }

  const catalog = await fetchCatalog(base);
  if (JSON.stringify(catalog) !== JSON.stringify(expectedCatalog.sort())) {
    problems.push(`_catalog ${JSON.stringify(catalog)} but disk has ${JSON.stringify(expectedCatalog)}`);
  }
  for (const name of expectedCatalog) {
    const repo = disk.get(name)!;
    const tags = await fetchTags(base, name);
    const diskTags = [...repo.tags.keys()].sort();
    if (JSON.stringify(tags) !== JSON.stringify(diskTags)) problems.push(`${name}: tags ${JSON.stringify(tags)} but disk has ${JSON.stringify(diskTags)}`);
    for (const [tag, d] of repo.tags) {
      try {
        const { m } = await fetchManifest(base, name, tag);
        if (m.digest !== d) problems.push(`${name}:${tag} serves ${m.digest} but current/link says ${d}`);
      } catch (err) {
        problems.push(`${name}:${tag}: ${(err as Error).message}`);
      }
    }
    for (const d of repo.revisions) {
      await fetchManifest(base, name, d).catch((err: Error) => problems.push(`${name}@${d}: ${err.message}`));
    }
  }
  for (const [name, repo] of disk) {
    for (const d of repo.layers) {
      await fetchBlobChecked(base, name, d).catch((err: Error) => problems.push(`${name} blob ${d}: ${err.message}`));
    }
  }
  return problems;
}
