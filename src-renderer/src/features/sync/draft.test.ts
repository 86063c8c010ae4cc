import { describe, expect, it } from 'vitest';
import type { SyncJob } from '../../../../src-server/contract';
import { draftOf, emptyDraft, jobOf } from './draft';

describe('sync job drafts', () => {
  it('turns a saved job into the form and back unchanged, hosts and digests included', () => {
    const jobs: SyncJob[] = [
      { name: 'a', source: { connection: 'c1', repositories: ['x', 'y/*'] }, destination: { connection: 'local' } },
      {
        name: 'b',
        source: { host: 'registry.example.com:5000', insecure: true, repositories: ['team/app'] },
        tags: { tags: ['v1', 'v2'], digests: [`sha256:${'a'.repeat(64)}`], include: ['^v'], exclude: ['rc'], semver: '^1', newest: 4 },
        platforms: ['linux/amd64'],
        referrers: true,
        destination: { connection: 'local', repository: 'mirror/app' },
        interval: '30m',
      },
    ];
    for (const job of jobs) expect(jobOf(draftOf(job))).toEqual(job);
  });

  it('leaves out empty fields and blank lines, and trims what is typed', () => {
    const d = { ...emptyDraft('c1'), name: ' j ', repositories: '\n a \n\n', platforms: ' , ', namespace: '  ' };
    expect(jobOf(d)).toEqual({ name: 'j', source: { connection: 'c1', repositories: ['a'] }, destination: { connection: 'local' } });
  });
});
