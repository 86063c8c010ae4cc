import { describe, expect, it } from 'vitest';
import type { CopyProgress } from '../../../../../src-server/contract';
import { describeManifest, formatEta, rateLine } from './copyProgress';

const at = (over: Partial<CopyProgress>): CopyProgress => ({
  operationId: 'op',
  phase: 'blobs',
  bytesDone: 0,
  bytesTotal: 100,
  blobsDone: 0,
  blobsTotal: 1,
  current: null,
  bytesPerSecond: null,
  etaSeconds: null,
  ...over,
});

describe('the rate line', () => {
  it('says nothing until the server has measured a rate, nor outside the blob phase', () => {
    expect(rateLine(null)).toBeNull();
    expect(rateLine(at({}))).toBeNull();
    expect(rateLine(at({ phase: 'manifests', bytesPerSecond: 5 }))).toBeNull();
  });

  it('rate and time left; a stall without an ETA', () => {
    expect(rateLine(at({ bytesPerSecond: 12_300_000, etaSeconds: 40 }))).toBe('12.3 MB/s · about 40 s left');
    expect(rateLine(at({ bytesPerSecond: 12_300_000, etaSeconds: null }))).toBe('12.3 MB/s');
    expect(rateLine(at({ bytesPerSecond: 0, etaSeconds: null }))).toBe('nothing moved for a few seconds');
  });

  it('times in seconds, minutes, hours', () => {
    expect(formatEta(0)).toBe('about 1 s left');
    expect(formatEta(59)).toBe('about 59 s left');
    expect(formatEta(150)).toBe('about 3 min left');
    expect(formatEta(3600)).toBe('about 1 h left');
    expect(formatEta(3900)).toBe('about 1 h 5 min left');
  });
});

describe('describeManifest', () => {
  it('an index with its platforms, a single image with its own', () => {
    expect(describeManifest({ digest: 'x', mediaType: 'm', kind: 'index', platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] })).toBe(
      'an index of 3 platforms (linux/amd64, linux/arm64, linux/arm/v7)',
    );
    expect(describeManifest({ digest: 'x', mediaType: 'm', kind: 'image', platforms: ['linux/arm64'] })).toBe('a single image (linux/arm64)');
    expect(describeManifest({ digest: 'x', mediaType: 'm', kind: 'image', platforms: [] })).toBe('a single image');
  });
});
