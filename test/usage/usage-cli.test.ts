/** `berth usage` formatting: the tables, sizes, untagged and referrer labels, platforms and origins. */
import { describe, expect, it } from 'vitest';
import {
  formatOrigin,
  formatRegistryUsage,
  formatRepositoryUsage,
  formatTable,
  formatTime,
  imageLabel,
  shortDigest,
} from '../../src-server/cli/usage';
import type { ImageUsage, RepositoryUsageDetail, UsageReport } from '../../src-server/contract';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const bytes = (stored: number, shared: number) => ({ stored, shared, unique: stored - shared });

describe('formatRegistryUsage', () => {
  const report: UsageReport = {
    totals: { repositories: 3, manifests: 5, blobs: 14, stored: 12_345_678, reclaimable: 0, reclaimableUntagged: 2_500 , trashItems: 0, trashHeldBytes: 0},
    repositories: [
      { name: 'small', tags: 0, manifests: 1, ...bytes(999, 0), untagged: 999 },
      { name: 'team/app', tags: 2, manifests: 3, ...bytes(12_300_000, 5_000_000), untagged: 1_500 },
      { name: 'web', tags: 1, manifests: 1, ...bytes(5_000_000, 5_000_000), untagged: 0 },
    ],
  };

  it('lists repositories largest first in aligned columns, with decimal sizes and totals', () => {
    expect(formatRegistryUsage(report)).toBe(
      [
        'REPOSITORY  TAGS  MANIFESTS   STORED   SHARED   UNIQUE  UNTAGGED',
        'team/app       2          3  12.3 MB  5.00 MB  7.30 MB   1.50 kB',
        'web            1          1  5.00 MB  5.00 MB      0 B       0 B',
        'small          0          1    999 B      0 B    999 B     999 B',
        '',
        '3 repositories, 5 manifests, 14 blobs using 12.3 MB',
        'Reclaimable: 0 B by `berth gc`, 2.50 kB with --delete-untagged',
        '',
      ].join('\n'),
    );
  });

  it('says so when the registry is empty, in the singular where it fits', () => {
    const empty: UsageReport = {
      totals: { repositories: 0, manifests: 1, blobs: 1, stored: 1000, reclaimable: 1000, reclaimableUntagged: 1000 , trashItems: 0, trashHeldBytes: 0},
      repositories: [],
    };
    expect(formatRegistryUsage(empty)).toBe(
      'No repositories.\n\n0 repositories, 1 manifest, 1 blob using 1.00 kB\nReclaimable: 1.00 kB by `berth gc`, 1.00 kB with --delete-untagged\n',
    );
  });

  it('says what the trash holds back when it holds anything', () => {
    const held: UsageReport = {
      totals: { repositories: 1, manifests: 2, blobs: 6, stored: 9000, reclaimable: 0, reclaimableUntagged: 0, trashItems: 2, trashHeldBytes: 4500 },
      repositories: [],
    };
    expect(formatRegistryUsage(held)).toMatch(/\nReclaimable: 0 B by `berth gc`, 0 B with --delete-untagged\nIn the trash: 2 items holding 4.50 kB back from GC \(see `berth trash list`\)\n$/);
  });
});

describe('formatRepositoryUsage', () => {
  const pushed = { source: 'pushed' as const, upstream: null, at: '2026-11-22T10:00:59.123Z' };
  const detail: RepositoryUsageDetail = {
    repository: { name: 'team/app', tags: 3, manifests: 6, ...bytes(20_000_000, 4_000_000), untagged: 1_234 },
    images: [
      {
        digest: D('a'),
        mediaType: 'application/vnd.oci.image.index.v1+json',
        tags: ['1.0', 'latest'],
        ...bytes(15_000_000, 0),
        platforms: [
          { platform: 'linux/amd64', digest: D('b'), ...bytes(8_000_000, 4_000_000) },
          { platform: 'linux/arm/v7', digest: D('c'), ...bytes(7_000_000, 4_000_000) },
        ],
        origin: { source: 'cached', upstream: 'https://registry-1.docker.io', at: '2026-11-21T23:05:00.000Z' },
      },
      { digest: D('d'), mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: ['old'], ...bytes(4_000_000, 4_000_000), platforms: [], origin: pushed },
      { digest: D('e'), mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: [], ...bytes(1_234, 0), platforms: [], origin: { source: 'unknown', upstream: null, at: null } },
      { digest: D('f'), mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: [], ...bytes(600, 0), platforms: [], origin: pushed, subject: D('d') },
    ],
  };

  it('shows images with tags, untagged and referrer labels, indented platforms and origins', () => {
    expect(formatRepositoryUsage(detail, 'utc')).toBe(
      [
        'team/app: 3 tags, 6 manifests; stored 20.0 MB, shared 4.00 MB, unique 16.0 MB, untagged 1.23 kB',
        '',
        'TAGS                        DIGEST         STORED   SHARED   UNIQUE  ORIGIN',
        '1.0, latest                 aaaaaaaaaaaa  15.0 MB      0 B  15.0 MB  cached from https://registry-1.docker.io 2026-11-21 23:05 UTC',
        '  linux/amd64               bbbbbbbbbbbb  8.00 MB  4.00 MB  4.00 MB',
        '  linux/arm/v7              cccccccccccc  7.00 MB  4.00 MB  3.00 MB',
        'old                         dddddddddddd  4.00 MB  4.00 MB      0 B  pushed 2026-11-22 10:00 UTC',
        '<untagged>                  eeeeeeeeeeee  1.23 kB      0 B  1.23 kB  unknown',
        '<referrer of dddddddddddd>  ffffffffffff    600 B      0 B    600 B  pushed 2026-11-22 10:00 UTC',
        '',
      ].join('\n'),
    );
  });

  it('says so when a repository has no images', () => {
    expect(formatRepositoryUsage({ repository: { name: 'e', tags: 0, manifests: 0, ...bytes(0, 0), untagged: 0 }, images: [] })).toBe(
      'e: 0 tags, 0 manifests; stored 0 B, shared 0 B, unique 0 B, untagged 0 B\nNo images.\n',
    );
  });
});

describe('small formatters', () => {
  it('labels images', () => {
    const base = { digest: D('1'), mediaType: 'm', ...bytes(1, 0), platforms: [], origin: { source: 'unknown' as const, upstream: null, at: null } };
    expect(imageLabel({ ...base, tags: ['a', 'b'] } as ImageUsage)).toBe('a, b');
    expect(imageLabel({ ...base, tags: [] } as ImageUsage)).toBe('<untagged>');
    expect(imageLabel({ ...base, tags: [], subject: D('2') } as ImageUsage)).toBe('<referrer of 222222222222>');
  });

  it('formats origins and times', () => {
    expect(formatOrigin({ source: 'pushed', upstream: null, at: '2026-01-02T03:04:05Z' }, 'utc')).toBe('pushed 2026-01-02 03:04 UTC');
    expect(formatOrigin({ source: 'cached', upstream: 'https://up', at: null }, 'utc')).toBe('cached from https://up');
    expect(formatOrigin({ source: 'unknown', upstream: null, at: null })).toBe('unknown');
    expect(formatTime('2026-01-02T03:04:05Z')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(formatTime('not a time')).toBe('not a time');
  });

  it('shortens digests like docker and aligns tables', () => {
    expect(shortDigest(D('9'))).toBe('999999999999');
    expect(formatTable(['A', 'NUM'], [['long-name', '1'], ['x', '1000']], 'lr')).toBe('A           NUM\nlong-name     1\nx          1000');
  });
});
