import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-server/logger';
import type { DeleteContext } from '../../src-server/registry/service';
import { compilePolicy } from '../../src-server/retention/policy';
import { RetentionRunner } from '../../src-server/retention/runner';
import { startApi, type ApiRegistry } from '../api/harness';
import { pushRandomImage } from '../helpers/push';

// A run against a real registry (loopback pushes, real index and storage) while the registry
// changes under it: a tag pushed again during the run is never deleted, and one failing delete
// does not stop the others.

let api: ApiRegistry;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

describe('a retention run while the registry changes', () => {
  it('keeps a tag pushed again during the run, reports a failing delete, and removes the rest', async () => {
    const first: Record<string, string> = {};
    for (const tag of ['a', 'b', 'c', 'd']) first[tag] = (await pushRandomImage(api.base, 'app', tag, [256])).digest;
    const served = api.services.served;
    const calls: Array<{ ref: string; context?: DeleteContext }> = [];
    let repushed = '';
    const runner = new RetentionRunner({
      registry: api.services.registry,
      dataDir: api.dataDir,
      log: silentLogger,
      deleter: {
        deleteEnabled: true,
        async deleteManifest(repo, ref, context) {
          calls.push({ ref, context });
          // While the run deletes the first tag, a client pushes `a` again.
          if (calls.length === 1) repushed = (await pushRandomImage(api.base, 'app', 'a', [256])).digest;
          if (ref === 'b') throw new Error('storage said no');
          return served.deleteManifest(repo, ref, context);
        },
      },
    });
    const report = await runner.run([compilePolicy({ name: 'only-d', repos: 'app', keepTags: ['^d$'], untagged: true })], { dryRun: false, trigger: 'manual' });

    expect(report.tags.map((t) => t.tag).sort()).toEqual(['c']);
    // Newest first: c went, b failed, a was pushed again; b's manifest is still tagged, so it stays.
    expect(report.errors).toEqual([
      { repository: 'app', tag: 'b', digest: first.b, message: 'storage said no' },
      { repository: 'app', tag: 'a', digest: first.a, message: `now points at ${repushed} (pushed during the run): kept` },
      { repository: 'app', digest: first.b, message: 'a tag still reaches it (kept, or pushed during the run): kept' },
    ]);
    expect(await api.services.registry.currentTag('app', 'a')).toBe(repushed);
    expect(await api.services.registry.currentTag('app', 'b')).toBe(first.b);
    expect(await api.services.registry.currentTag('app', 'c')).toBeNull();
    expect(calls[0]!.context).toEqual({ source: 'retention', policy: 'only-d' });
    // Untagged manifests: c's and a's first one go (nothing reaches them); b's stays tagged.
    expect(report.manifests.map((m) => m.digest).sort()).toEqual([first.a, first.c].sort());
    const index = api.services.registry.forCollection().index;
    expect(index.hasManifest('app', first.c!)).toBe(false);
    expect(index.hasManifest('app', first.b!)).toBe(true);
    expect(index.hasManifest('app', repushed)).toBe(true);
  });
});
