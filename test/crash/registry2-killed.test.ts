/**
 * The other direction of the crash test: registry:2 (Debian's `docker-registry`) is killed with
 * SIGKILL in the middle of uploads, and Berth opens what it left.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth-server';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { readRepositoriesOnDisk } from '../helpers/verify';
import { fetchBlobChecked, fetchManifest } from '../interop/snapshot';
import { findProblems } from './consistency';
import { startWorkload, type Attempt } from './workload';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('registry:2 killed in the middle of uploads, then Berth on its data directory', () => {
  const tmp = tempDir('berth-crash-r2-');
  const data = join(tmp.dir, 'data');
  let reg2: RunningRegistry2 | undefined;
  let berth: RunningBerth | undefined;

  afterAll(async () => {
    await reg2?.kill();
    await berth?.stop();
    tmp.cleanup();
  });

  it('Berth serves every image registry:2 accepted, only whole blobs, and agrees with the disk', async () => {
    const committed: Attempt[] = [];
    for (let round = 0; round < 2; round++) {
      reg2 = await startRegistry2(data, tmp.dir);
      const work = startWorkload(reg2.url, round);
      await sleep(400 + randomInt(1_200));
      for (let i = 0; i < 60 && !work.log.some((a) => !a.done && a.location); i++) await sleep(100);
      await reg2.kill();
      await work.stop();
      reg2 = undefined;
      expect(work.log.some((a) => !a.done)).toBe(true);
      committed.push(...work.log.filter((a) => a.done));
    }
    berth = await startBerth(data);
    // registry:2 writes a manifest's blob in place (its filesystem driver's PutContent, no temp file
    // and rename), so a kill in the middle can leave a torn blob before any link names it. That is
    // registry:2's residue, not Berth's: allowed as long as no repository links it, so that Berth
    // never serves it (checked below).
    const linked = new Set([...readRepositoriesOnDisk(data).values()].flatMap((r) => [...r.revisions, ...r.layers]));
    const torn = /^blob (\S+) holds content hashing to /;
    const problems = await findProblems(berth.url, data);
    const residue = problems.map((p) => torn.exec(p)?.[1]).filter((d): d is string => d !== undefined && !linked.has(d));
    expect(problems.filter((p) => !residue.includes(torn.exec(p)?.[1] ?? ''))).toEqual([]);
    for (const digest of residue) {
      for (const repo of readRepositoriesOnDisk(data).keys()) {
        expect((await fetch(`${berth.url}/v2/${repo}/blobs/${digest}`)).status, `${repo} ${digest}`).toBe(404);
      }
    }
    for (const a of committed) {
      if (a.kind !== 'image') {
        expect(await fetchBlobChecked(berth.url, a.repo, a.digest)).toBe(a.data!.length);
      } else if (a.repo !== 'crash/moving') {
        expect((await fetchManifest(berth.url, a.repo, a.tag!)).m.digest).toBe(a.digest);
      }
    }
  });
});
