/**
 * Carrying out a delete plan exactly as previewed. Every tag is resolved again first; an image
 * whose selected tags moved (TAG_MOVED), whose manifest would now take a tag the plan did not name
 * (SIBLINGS_AFFECTED), or that the registry would delete otherwise than the plan said
 * (PLAN_OUTDATED) is left alone and reported; the others go, a few images at a time.
 */
import type { TagsDeleteArgs, TagsDeleteResult } from '../contract';
import { mapLimit } from '../core/concurrency';
import { RegistryError } from '../core/errors';
import type { BrowseContext, BrowseCore, TagHead } from './context';
import type { DeleteCapabilities } from './delete-capability';

/** Images deleted at once (each delete also waits for the browser's limiter). */
const PARALLEL_IMAGES = 4;

/** What a run did; failures keep their error for the API to put in words. */
export type DeleteRun = Omit<TagsDeleteResult, 'failed'> & { failed: Array<{ digest: string; tags: string[]; error: unknown }> };

type PlannedImage = TagsDeleteArgs['images'][number];

/** What one image's delete did. */
interface ImageOutcome {
  removed: string[];
  deletedManifest: boolean;
  untagged: boolean;
  failure?: { tags: string[]; error: unknown };
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Runs the plan in `args` on the connection of `ctx`. */
export async function runDeletePlan(browser: BrowseCore, capabilities: DeleteCapabilities, ctx: BrowseContext, args: TagsDeleteArgs): Promise<DeleteRun> {
  const repo = args.repository;
  const capability = await capabilities.of(ctx, repo);
  if (capability.method === 'unsupported' || args.method === 'unsupported') {
    throw new RegistryError('UNSUPPORTED', { message: `nothing was deleted: ${lowerFirst(capability.method === 'unsupported' ? capability.reason : 'the plan said this registry refuses deletes.')}`, detail: { connection: ctx.connection } });
  }
  try {
    const heads = await browser.allHeads(ctx, repo, true);
    const state = new RepositoryState(heads);
    const accepted = new Set(args.unresolved ?? []);
    const outcomes = await mapLimit(args.images, PARALLEL_IMAGES, (image) => runImage({ browser, capabilities, ctx, repo, method: args.method, state, accepted }, image));
    const result: DeleteRun = { removed: [], deletedManifests: [], untagged: [], failed: [] };
    outcomes.forEach((o, i) => {
      const image = args.images[i]!;
      result.removed.push(...o.removed);
      if (o.deletedManifest) result.deletedManifests.push(image.digest);
      if (o.untagged) result.untagged.push(image.digest);
      if (o.failure) result.failed.push({ digest: image.digest, ...o.failure });
    });
    result.removed = [...new Set(result.removed)].sort(byName);
    result.deletedManifests.sort(byName);
    result.untagged.sort(byName);
    return result;
  } finally {
    browser.invalidate(ctx.connection, repo);
  }
}

/** The repository's tags as resolved just before the delete. */
class RepositoryState {
  readonly head = new Map<string, TagHead>();
  readonly tagsOn = new Map<string, string[]>();
  readonly unresolved: string[];

  constructor(heads: TagHead[]) {
    for (const h of heads) {
      this.head.set(h.tag, h);
      if (h.digest) (this.tagsOn.get(h.digest) ?? this.tagsOn.set(h.digest, []).get(h.digest)!).push(h.tag);
    }
    this.unresolved = heads.filter((h) => h.error !== undefined).map((h) => h.tag);
  }
}

interface RunContext {
  browser: BrowseCore;
  capabilities: DeleteCapabilities;
  ctx: BrowseContext;
  repo: string;
  method: TagsDeleteArgs['method'];
  state: RepositoryState;
  /** Unresolved tags the user accepted may go with a deleted manifest. */
  accepted: ReadonlySet<string>;
}

async function runImage(run: RunContext, image: PlannedImage): Promise<ImageOutcome> {
  const { repo, state } = run;
  const fail = (error: unknown, tags = image.tags): ImageOutcome => ({ removed: [], deletedManifest: false, untagged: false, failure: { tags, error } });
  for (const tag of image.tags) {
    const head = state.head.get(tag);
    if (head?.error !== undefined) return fail(head.error);
    if (head?.digest !== image.digest) {
      const now = head?.digest ? `now points at ${head.digest}` : 'no longer exists';
      return fail(
        new RegistryError('TAG_MOVED', {
          message: `${repo}:${tag} ${now}, not at ${image.digest} as planned; nothing of this image was deleted`,
          detail: { tag, expected: image.digest, actual: head?.digest ?? null },
        }),
      );
    }
  }
  const selected = new Set(image.tags);
  const others = (state.tagsOn.get(image.digest) ?? []).filter((t) => !selected.has(t));
  // What a delete of the whole manifest would take that the plan did not name.
  const planned = new Set(image.alsoDeleted);
  const surprise = [...others.filter((t) => !planned.has(t)), ...state.unresolved.filter((t) => !run.accepted.has(t) && !selected.has(t))];
  const capability = await run.capabilities.of(run.ctx, repo);
  const known = capability.method;

  if (known === 'manifest' || (known === 'unknown' && run.method === 'manifest')) {
    if (run.method === 'tag') return fail(outdated(repo, 'deletes whole manifests only, so the other tags on this image would go too'));
    if (surprise.length) return fail(siblings(repo, image.digest, surprise));
    return deleteManifest(run, image, others);
  }
  if (run.method === 'manifest') return fail(outdated(repo, 'deletes tags alone, so the other tags would stay'));
  // Tags alone (known, or to be found out with a method of 'unknown').
  const removed: string[] = [];
  for (const tag of image.tags) {
    let outcome;
    try {
      outcome = await run.browser.limiter.run(() => run.ctx.source.deleteTag(repo, tag));
    } catch (err) {
      return { removed, deletedManifest: false, untagged: false, failure: { tags: image.tags.filter((t) => !removed.includes(t)), error: refusal(run, err) } };
    }
    if (outcome === 'deleted') {
      removed.push(tag);
      if (known === 'unknown') run.capabilities.learn(run.ctx, 'tag');
      continue;
    }
    // The registry does not delete tags alone. Only a plan that named what goes with the manifest may go on.
    run.capabilities.forget(run.ctx.connection);
    if (run.method === 'unknown' && removed.length === 0) {
      if (surprise.length) return fail(siblings(repo, image.digest, surprise));
      const done = await deleteManifest(run, image, others);
      if (!done.failure) run.capabilities.learn(run.ctx, 'manifest');
      return done;
    }
    return { removed, deletedManifest: false, untagged: false, failure: { tags: image.tags.filter((t) => !removed.includes(t)), error: outdated(repo, 'does not delete tags alone') } };
  }
  return { removed, deletedManifest: false, untagged: others.length === 0 };
}

/** Deletes the image's manifest by digest: its selected tags, `others` on it, and any accepted unresolved tag that pointed at it. */
async function deleteManifest(run: RunContext, image: PlannedImage, others: string[]): Promise<ImageOutcome> {
  try {
    await run.browser.limiter.run(() => run.ctx.source.deleteManifest(run.repo, image.digest));
  } catch (err) {
    return { removed: [], deletedManifest: false, untagged: false, failure: { tags: image.tags, error: refusal(run, err) } };
  }
  const maybe = run.state.unresolved.filter((t) => run.accepted.has(t));
  return { removed: [...image.tags, ...others, ...(await gone(run, maybe))], deletedManifest: true, untagged: false };
}

/** Which of `tags` (unchecked before a delete by digest) the tag list no longer has; [] when it cannot be read. */
async function gone(run: RunContext, tags: string[]): Promise<string[]> {
  if (!tags.length) return [];
  const now = await run.browser.limiter.run(() => run.ctx.source.tags(run.repo)).catch(() => null);
  return now ? tags.filter((t) => !now.includes(t)) : [];
}

/** A delete's failure; a refusal of every delete (405) is remembered and said in words. */
function refusal(run: RunContext, err: unknown): unknown {
  if (!(err instanceof RegistryError) || err.code !== 'UNSUPPORTED') return err;
  run.capabilities.learn(run.ctx, 'unsupported');
  return new RegistryError('UNSUPPORTED', { message: 'this registry does not allow deletes: registry:2 needs storage.delete.enabled: true', detail: { connection: run.ctx.connection } });
}

function outdated(repo: string, why: string): RegistryError {
  return new RegistryError('PLAN_OUTDATED', {
    message: `the registry of ${repo} ${why}, which the preview did not say; nothing of this image was deleted: look at the preview again`,
  });
}

function siblings(repo: string, digest: string, tags: string[]): RegistryError {
  return new RegistryError('SIBLINGS_AFFECTED', {
    message: `deleting ${digest} would also delete ${tags.join(', ')} of ${repo}, which the preview did not name (tagged since, or not checked); nothing of this image was deleted`,
    detail: { digest, siblings: tags },
  });
}

function lowerFirst(s: string): string {
  return `${s[0]!.toLowerCase()}${s.slice(1)}`.replace(/\.$/, '');
}
