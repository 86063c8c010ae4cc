/**
 * Deleting tags safely. How the connection deletes is found out before anything is promised
 * (browse/delete-capability.ts). A selection is planned as a whole (browse/delete-plan.ts) and
 * carried out exactly as planned (browse/delete-run.ts).
 *
 * The one-tag channels (`tag:delete-preview`, `tag:delete`) stay for API clients: the tag is
 * resolved again just before the delete and nothing happens when it no longer points at the digest
 * the user confirmed (TAG_MOVED). A registry that deletes tags (Berth, OCI 1.1) loses only the tag;
 * one that deletes only manifests by digest (registry:2) loses every tag on that manifest, so that
 * is done only when no other tag points at it or the user said so (else SIBLINGS_AFFECTED). A tag
 * whose digest could not be checked (429, 5xx) may be such a sibling: it is named, and a delete by
 * digest waits for the same confirmation. A registry that refuses deletes (405) is named as such
 * before any question about siblings.
 */
import type { TagDeleteArgs, TagDeletePlan, TagDeleteResult, TagRef, TagsDeleteArgs, TagsDeletePlan, TagsDeletePlanArgs } from '../contract';
import { toRegistryError } from '../core/error-mapping';
import { NotFoundError, RegistryError } from '../core/errors';
import { RemoteAuthError, RemoteProtocolError, RemoteRateLimitError } from '../remote/errors';
import type { BrowseContext, BrowseCore } from './context';
import { DeleteCapabilities, PROBE_DIGEST } from './delete-capability';
import { planSelection } from './delete-plan';
import { reclaimableAfterUntagging } from './delete-reclaim';
import { runDeletePlan, type DeleteRun } from './delete-run';
import type { TagDeleteOutcome } from './source';

/** How a connection deletes one tag, as the one-tag preview says it. */
type Method = TagDeletePlan['method'];

/** Tag and repository deletion for the Browser. */
export class Deletes {
  private readonly capabilities: DeleteCapabilities;

  constructor(private readonly browser: BrowseCore) {
    this.capabilities = new DeleteCapabilities(browser.limiter);
  }

  /** Forgets what was learned about a connection's deletes. */
  forgetMethod(connection: string): void {
    this.capabilities.forget(connection);
  }

  /** What deleting a selection of tags would do, per image, with what a GC would then free (local). */
  async plan(ctx: BrowseContext, args: TagsDeletePlanArgs): Promise<TagsDeletePlan> {
    const repo = args.repository;
    // An unknown repository fails here (NAME_UNKNOWN), before the registry is asked anything else.
    const heads = await this.browser.allHeads(ctx, repo, true);
    const capability = await this.capabilities.of(ctx, repo);
    const planned = planSelection(args.tags, heads, capability.method);
    const untagged = planned.images.filter((i) => i.outcome === 'untagged').map((i) => i.digest);
    const reclaimable = ctx.registry && capability.method === 'tag' ? await reclaimableAfterUntagging(ctx.registry, repo, untagged) : null;
    return { connection: ctx.connection, repository: repo, method: capability.method, methodReason: capability.reason, ...planned, totals: { ...planned.totals, reclaimable } };
  }

  /** Carries out a plan of {@link plan} as previewed. */
  deleteTags(ctx: BrowseContext, args: TagsDeleteArgs): Promise<DeleteRun> {
    return runDeletePlan(this.browser, this.capabilities, ctx, args);
  }

  /** The plan shown before a delete: digest, siblings, and the method this connection is known to use. */
  async preview(ctx: BrowseContext, ref: TagRef): Promise<TagDeletePlan> {
    const digest = await this.resolve(ctx, ref.repository, ref.tag);
    const { siblings, unresolved } = await this.siblings(ctx, ref.repository, ref.tag, digest);
    const method = await this.method(ctx, ref.repository);
    let message = planMessage(ctx, ref.tag, digest, siblings, method);
    if (unresolved.length && method !== 'unsupported') {
      message += ` The tags ${unresolved.join(', ')} could not be checked (the registry did not answer for them)${method === 'manifest' ? ': if they point at this image, they are deleted too' : ''}.`;
    }
    return { tag: ref.tag, digest, siblings, method, message, ...(unresolved.length ? { unresolved } : {}) };
  }

  /** Deletes the tag if it still points at `args.digest`. */
  async deleteTag(ctx: BrowseContext, args: TagDeleteArgs): Promise<TagDeleteResult> {
    const { repository: repo, tag } = args;
    const digest = await this.resolve(ctx, repo, tag);
    if (digest !== args.digest) {
      throw new RegistryError('TAG_MOVED', {
        message: `${repo}:${tag} now points at ${digest}, not at ${args.digest} as confirmed; nothing was deleted`,
        detail: { tag, expected: args.digest, actual: digest },
      });
    }
    if ((await this.capabilities.of(ctx, repo)).method !== 'manifest') {
      const outcome = await this.refusable(ctx, () => deleteByTag(ctx, repo, tag));
      if (outcome === 'deleted') {
        this.capabilities.learn(ctx, 'tag');
        this.browser.invalidate(ctx.connection, repo);
        return { digest, method: 'tag', removedTags: [tag] };
      }
      this.capabilities.learn(ctx, 'manifest');
    }
    const { siblings, unresolved } = await this.siblings(ctx, repo, tag, digest);
    if ((siblings.length || unresolved.length) && !args.deleteSiblings) {
      const parts = [
        ...(siblings.length ? [`deleting ${tag} would also delete ${siblings.join(', ')}`] : []),
        ...(unresolved.length ? [`the tags ${unresolved.join(', ')} could not be checked and are deleted too if they point at ${digest}`] : []),
      ];
      throw new RegistryError('SIBLINGS_AFFECTED', {
        message: `this registry deletes images by digest only: ${parts.join('; ')}; confirm with deleteSiblings to delete them all`,
        detail: { siblings, unresolved },
      });
    }
    await this.refusable(ctx, () => ctx.source.deleteManifest(repo, digest));
    this.browser.invalidate(ctx.connection, repo);
    return { digest, method: 'manifest', removedTags: [tag, ...siblings, ...(await this.gone(ctx, repo, unresolved))].sort() };
  }

  /** Deletes a repository: the local one at once; a remote one manifest by manifest (every tagged digest). */
  async deleteRepository(ctx: BrowseContext, name: string): Promise<{ tags: number; manifests: number }> {
    if (ctx.registry) {
      const result = await this.refusable(ctx, () => ctx.registry!.deleteRepository(name));
      this.browser.invalidate(ctx.connection, name);
      return result;
    }
    const heads = await this.browser.allHeads(ctx, name, true);
    const unresolved = heads.filter((h) => h.error !== undefined);
    // Deleting what did resolve would leave a half-deleted repository behind: nothing goes.
    if (unresolved.length) throw unresolvedError(name, unresolved);
    const digests = [...new Set(heads.flatMap((h) => (h.digest ? [h.digest] : [])))];
    for (const digest of digests) await this.refusable(ctx, () => ctx.source.deleteManifest(name, digest));
    this.browser.invalidate(ctx.connection, name);
    return { tags: heads.length, manifests: digests.length };
  }

  /** Which of `tags` (unchecked before a delete by digest) the tag list no longer has; [] when it cannot be read. */
  private async gone(ctx: BrowseContext, repo: string, tags: string[]): Promise<string[]> {
    if (!tags.length) return [];
    const now = await this.browser.limiter.run(() => ctx.source.tags(repo)).catch(() => null);
    return now ? tags.filter((t) => !now.includes(t)) : [];
  }

  /** The one-tag preview's method: one Berth could not find out is shown as the worst case. */
  private async method(ctx: BrowseContext, repo: string): Promise<Method> {
    const { method } = await this.capabilities.of(ctx, repo);
    return method === 'unknown' ? 'manifest' : method;
  }

  /** The tag's digest asked of the registry now (never from the cache). */
  private async resolve(ctx: BrowseContext, repo: string, tag: string): Promise<string> {
    const head = await this.browser.head(ctx, repo, tag, true);
    if (!head) throw new NotFoundError('manifest');
    return head.digest;
  }

  /**
   * Other tags pointing at `digest`, every tag resolved now, and the tags whose lookup failed (any
   * of them may point at `digest` too).
   */
  private async siblings(ctx: BrowseContext, repo: string, tag: string, digest: string): Promise<{ siblings: string[]; unresolved: string[] }> {
    if (ctx.registry) return { siblings: ctx.registry.tagsOf(repo, digest).filter((t) => t !== tag), unresolved: [] };
    const heads = (await this.browser.allHeads(ctx, repo, true)).filter((h) => h.tag !== tag);
    return {
      siblings: heads.filter((h) => h.digest === digest).map((h) => h.tag),
      unresolved: heads.filter((h) => h.error !== undefined).map((h) => h.tag),
    };
  }

  /** Runs a delete; a refusal (UNSUPPORTED) is remembered and said in words. */
  private async refusable<T>(ctx: BrowseContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.browser.limiter.run(fn);
    } catch (err) {
      // The local registry refuses with a neutral error, a remote one with the protocol's code: one mapping reads both.
      if (err instanceof NotFoundError || toRegistryError(err)?.code !== 'UNSUPPORTED') throw err;
      this.capabilities.learn(ctx, 'unsupported');
      throw new RegistryError('UNSUPPORTED', { message: refusedMessage(ctx), detail: { connection: ctx.connection } });
    }
  }
}

/**
 * `source.deleteTag`: 'deleted', or 'by-digest' when the registry deletes manifests by digest only
 * (registry:2 v2.8 reads the tag as a digest and answers 400 DIGEST_INVALID); UNSUPPORTED (405)
 * when it refuses deletes altogether, which must be said before asking about siblings.
 */
async function deleteByTag(ctx: BrowseContext, repo: string, tag: string): Promise<'deleted' | 'by-digest'> {
  let outcome: TagDeleteOutcome;
  try {
    outcome = await ctx.source.deleteTag(repo, tag);
  } catch (err) {
    if (err instanceof RemoteProtocolError && err.status === 400 && err.code === 'DIGEST_INVALID') return 'by-digest';
    if (err instanceof RemoteProtocolError && (err.status === 405 || err.code === 'UNSUPPORTED')) throw new RegistryError('UNSUPPORTED');
    throw err;
  }
  if (outcome === 'deleted') return 'deleted';
  // The remote client answers 'unsupported' both to a 405 and to 400 DIGEST_INVALID: a delete of a
  // digest that does not exist tells them apart (a 405 registry refuses it too).
  try {
    await ctx.source.deleteManifest(repo, PROBE_DIGEST);
  } catch (err) {
    if (err instanceof RegistryError && err.code === 'UNSUPPORTED') throw err;
    if (err instanceof RemoteAuthError) throw err;
  }
  return 'by-digest';
}

/** Why a repository delete was refused: some tags did not resolve (the first failure's kind kept). */
function unresolvedError(repo: string, unresolved: Array<{ tag: string; error?: unknown }>): RegistryError {
  const first = unresolved[0]!.error;
  const code = first instanceof RegistryError ? first.code : first instanceof RemoteRateLimitError ? 'TOOMANYREQUESTS' : 'UNAVAILABLE';
  const reason = first instanceof Error ? first.message : String(first);
  const tags = unresolved.map((u) => u.tag);
  return new RegistryError(code, {
    message: `nothing was deleted: the tags ${tags.join(', ')} of ${repo} could not be checked (${reason}); try again`,
    detail: { repository: repo, unresolved: tags },
  });
}

function refusedMessage(ctx: BrowseContext): string {
  return ctx.registry
    ? 'the local registry does not allow deletes: turn deletes on in its settings (storage.delete.enabled)'
    : 'this registry does not allow deletes: registry:2 needs storage.delete.enabled: true';
}

function planMessage(ctx: BrowseContext, tag: string, digest: string, siblings: string[], method: Method): string {
  const short = digest.slice(0, 19);
  const others = siblings.length ? `${siblings.join(', ')}` : '';
  switch (method) {
    case 'tag':
      return siblings.length
        ? `Deletes the tag ${tag} only; the image ${short} stays for ${others}.`
        : `Deletes the tag ${tag}; no other tag points at the image ${short}.`;
    case 'manifest':
      return siblings.length
        ? `This registry deletes by digest only: deleting ${tag} deletes the image ${short} and with it the tags ${others}.`
        : `This registry deletes by digest only: deleting ${tag} deletes the image ${short} (no other tag points at it).`;
    default:
      return `${refusedMessage(ctx)[0]!.toUpperCase()}${refusedMessage(ctx).slice(1)}.`;
  }
}
