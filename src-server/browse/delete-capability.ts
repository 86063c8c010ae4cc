/**
 * How a connection deletes tags, found out before anything is promised. The local registry says so
 * itself (deletes on or off). A remote is asked once per connection, without deleting anything: a
 * DELETE of a tag no registry has (a random name) answers 404 where tags are deleted alone (Berth,
 * OCI 1.1 registries), 400 DIGEST_INVALID where only manifests by digest are (registry:2 2.8 reads
 * the tag as a malformed digest), and 405 UNSUPPORTED where deletes are off. registry:2 answers a
 * 405 to the tag too, so a DELETE of a digest no manifest has (404 or 405) tells those two apart.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DeleteMethod } from '../contract';
import { NotFoundError, RegistryError } from '../core/errors';
import { RemoteAuthError } from '../remote/errors';
import type { BrowseContext } from './context';
import type { Limiter } from './limiter';
import type { RegistrySource } from './source';
import { SingleFlight } from './single-flight';

/** A connection's delete method and how Berth knows it, in words. */
export interface DeleteCapability {
  method: DeleteMethod;
  reason: string;
}

/**
 * A digest no manifest has (nobody can make content hash to it on purpose): deleting it tells a
 * registry that deletes by digest (404) from one that refuses every delete (405) without touching anything.
 */
export const PROBE_DIGEST = `sha256:${createHash('sha256').update('berth: a manifest digest that does not exist').digest('hex')}`;

/** What the local registry says about itself. */
const LOCAL: Record<'on' | 'off', DeleteCapability> = {
  on: { method: 'tag', reason: 'The local registry deletes tags alone; an image left without a tag stays until a garbage collection deletes untagged manifests, once the deleted tags have left the trash.' },
  off: { method: 'unsupported', reason: 'The local registry does not allow deletes: turn deletes on in its settings (storage.delete.enabled).' },
};

/** What each remote answer means. */
const LEARNED: Record<Exclude<DeleteMethod, 'unknown'>, string> = {
  tag: 'This registry deletes tags alone: it answered "not found" to deleting a tag that does not exist.',
  manifest: 'This registry deletes whole manifests only (it answered DIGEST_INVALID to deleting a tag by its name, as registry:2 does): every tag on a deleted image goes with it.',
  unsupported: 'This registry does not allow deletes (it answered 405 UNSUPPORTED); registry:2 needs storage.delete.enabled: true.',
};

/** Delete capabilities of the connections, probed once each and remembered per source object. */
export class DeleteCapabilities {
  private readonly known = new Map<string, { source: RegistrySource; capability: DeleteCapability }>();
  private readonly flights = new SingleFlight();

  constructor(private readonly limiter: Limiter) {}

  /** The connection's capability: the local registry's setting, or a remote's remembered or probed answer. */
  async of(ctx: BrowseContext, repository: string): Promise<DeleteCapability> {
    if (ctx.registry) return ctx.registry.deleteEnabled ? LOCAL.on : LOCAL.off;
    const known = this.known.get(ctx.connection);
    // A connection edited since (new URL, new credentials) comes back as a new source object.
    if (known && known.source === ctx.source) return known.capability;
    return this.flights.run(`${ctx.connection}`, async () => {
      const capability = await this.probe(ctx.source, repository);
      if (capability.method !== 'unknown') this.known.set(ctx.connection, { source: ctx.source, capability });
      return capability;
    });
  }

  /** What a real delete taught (the registry answered otherwise than the probe said). */
  learn(ctx: BrowseContext, method: Exclude<DeleteMethod, 'unknown'>): void {
    if (!ctx.registry) this.known.set(ctx.connection, { source: ctx.source, capability: { method, reason: LEARNED[method] } });
  }

  /** Forgets what was learned about a connection. */
  forget(connection: string): void {
    this.known.delete(connection);
  }

  private async probe(source: RegistrySource, repository: string): Promise<DeleteCapability> {
    const tag = `berth-delete-probe-${randomBytes(12).toString('hex')}`;
    try {
      const outcome = await this.limiter.run(() => source.deleteTag(repository, tag));
      if (outcome === 'deleted') return { method: 'tag', reason: LEARNED.tag.replace('"not found"', 'that it deleted it') };
    } catch (err) {
      if (err instanceof NotFoundError) return { method: 'tag', reason: LEARNED.tag };
      return unknown(err);
    }
    // 'unsupported': a 405 or a DIGEST_INVALID; a digest no manifest has tells which.
    try {
      await this.limiter.run(() => source.deleteManifest(repository, PROBE_DIGEST));
    } catch (err) {
      if (err instanceof NotFoundError) return { method: 'manifest', reason: LEARNED.manifest };
      if (err instanceof RegistryError && err.code === 'UNSUPPORTED') return { method: 'unsupported', reason: LEARNED.unsupported };
      return unknown(err);
    }
    return unknown(new Error('it answered that it deleted a manifest that does not exist'));
  }
}

function unknown(err: unknown): DeleteCapability {
  const why =
    err instanceof RemoteAuthError
      ? err.status === 403
        ? 'the registry does not let this user delete here (403 DENIED)'
        : `the registry refused the credentials for a delete (${err.status})`
      : err instanceof Error
        ? err.message
        : String(err);
  return {
    method: 'unknown',
    reason: `Berth could not find out how this registry deletes tags: ${why}. Planned as if it deletes whole manifests (the tags on them go too); if it deletes tags alone, they stay.`,
  };
}
