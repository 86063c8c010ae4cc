import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryIndex } from '../index/registry-index';
import { tempDir } from '../../test/helpers/berth-server';
import { knownSizes, knownSizesSliced, loadGraph, loadGraphSliced, mark, markSteps } from './graph';
import { runSliced } from '../core/sliced';

const tmp = tempDir('berth-graph-sliced-');
afterAll(() => tmp.cleanup());

const digest = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;

/** An index of `repos` repositories with `per` tagged revisions each (no manifest facts needed for the graph). */
function bigIndex(file: string, repos: number, per: number): RegistryIndex {
  const index = new RegistryIndex(file);
  const snaps = Array.from({ length: repos }, (_, r) => {
    const revisions = Array.from({ length: per }, (_, i) => digest(r * per + i));
    return { name: `team/r${r}`, revisions, tags: revisions.slice(0, per / 2).map((d, i) => ({ tag: `t${i}`, digest: d })) };
  });
  index.reconcile(snaps, new Map());
  return index;
}

describe('the sliced graph read', () => {
  it('reads what loadGraph reads, on a snapshot: a write during the read is not seen, and the event loop gets turns', async () => {
    const index = bigIndex(join(tmp.dir, 'index.db'), 1000, 20);
    const before = loadGraph(index);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    // Lands while the sliced read is under way (the first slice has started its transaction).
    setImmediate(() => index.setTag('team/r0', 'late', digest(1)));
    const sliced = await loadGraphSliced(index);
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(0);
    expect(index.resolveTag('team/r0', 'late')).toBe(digest(1));
    expect(sliced.repos.map((r) => [r.name, [...r.revisions].sort(), [...r.tagged].sort()])).toEqual(
      before.repos.map((r) => [r.name, [...r.revisions].sort(), [...r.tagged].sort()]),
    );
    const marked = await runSliced(markSteps(sliced, true));
    const direct = mark(before, true);
    expect(marked.removable).toEqual(direct.removable);
    expect([...marked.keptBlobs].sort()).toEqual([...direct.keptBlobs].sort());
    expect(await knownSizesSliced(index)).toEqual(knownSizes(index));
    index.close();
  });
});
