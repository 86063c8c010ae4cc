/**
 * A job's images: its repositories (names as they are, globs through the source's catalog, page
 * by page and bounded), their tags (listed, or named by the job), filtered, and where each lands.
 */
import type { RegistrySource } from '../browse/source';
import type { SyncFailure, SyncJob } from '../contract';
import { matchesPattern } from '../auth/rules';
import type { PatternTester } from '../retention/pattern-guard';
import { syncFailure } from './failure';
import { destinationRepository, hasGlob } from './mapping';
import { selectTags } from './tag-filter';

/** One image to sync. */
export interface PlannedImage {
  job: string;
  fromRepository: string;
  /** A tag or a digest. */
  fromReference: string;
  toRepository: string;
  /** The tag to write; undefined for an image synced by digest. */
  toTag?: string;
}

/** Repositories listed per catalog page. */
const PAGE = 1000;
/** Catalog pages read at most per glob job (100,000 repositories). */
export const MAX_CATALOG_PAGES = 100;
/** Images one job may plan at most. */
export const MAX_JOB_IMAGES = 100_000;

/** What expanding a job found: its images, and the failures of its entries. */
export interface Expansion {
  images: PlannedImage[];
  failures: SyncFailure[];
}

/** The repositories of the source that the job names. */
async function repositoriesOf(job: SyncJob, source: RegistrySource, signal?: AbortSignal): Promise<string[]> {
  const literal = job.source.repositories.filter((r) => !hasGlob(r));
  const globs = job.source.repositories.filter(hasGlob);
  const out = new Set(literal);
  if (globs.length === 0) return [...out];
  let last: string | undefined;
  for (let page = 0; page < MAX_CATALOG_PAGES; page++) {
    signal?.throwIfAborted();
    const p = await source.repositories(PAGE, last);
    for (const name of p.names) if (globs.some((g) => matchesPattern(g, name))) out.add(name);
    if (p.next === null || p.names.length === 0) return [...out].sort();
    last = p.next;
  }
  return [...out].sort();
}

function isHub(host: string): boolean {
  return host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io';
}

/** Lists and filters the images of `job` on `source` (`host` names it in failures). */
export async function expandJob(job: SyncJob, source: RegistrySource, host: string, tester: PatternTester, signal?: AbortSignal): Promise<Expansion> {
  const failures: SyncFailure[] = [];
  const images: PlannedImage[] = [];
  let repos: string[];
  try {
    repos = await repositoriesOf(job, source, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    return { images, failures: [syncFailure(job.name, `${host}/${job.source.repositories.join(',')}`, host, err)] };
  }
  for (const name of repos) {
    signal?.throwIfAborted();
    const to = destinationRepository(job.destination, name);
    // Docker Hub's official images live under library/ (`nginx` is `library/nginx`), as docker reads it.
    const repo = isHub(host) && !name.includes('/') ? `library/${name}` : name;
    const t = job.tags;
    if (t?.digests) {
      for (const d of t.digests) images.push({ job: job.name, fromRepository: repo, fromReference: d, toRepository: to });
      continue;
    }
    let tags: string[];
    if (t?.tags) {
      tags = t.tags;
    } else {
      let listed: string[] | null;
      try {
        listed = await source.tags(repo);
      } catch (err) {
        if (signal?.aborted) throw err;
        failures.push(syncFailure(job.name, `${host}/${repo}`, host, err));
        continue;
      }
      if (listed === null) {
        // A glob lists only what exists; a repository named outright that is missing is a failure.
        failures.push({ job: job.name, image: `${host}/${repo}`, code: 'NAME_UNKNOWN', message: `${host}/${repo}: the repository does not exist on ${host}` });
        continue;
      }
      tags = listed;
    }
    try {
      tags = selectTags(job.name, tags, t, tester);
    } catch (err) {
      failures.push(syncFailure(job.name, `${host}/${repo}`, host, err));
      continue;
    }
    for (const tag of tags) {
      if (images.length >= MAX_JOB_IMAGES) break;
      images.push({ job: job.name, fromRepository: repo, fromReference: tag, toRepository: to, toTag: job.destination.tag ?? tag });
    }
  }
  return { images, failures };
}
