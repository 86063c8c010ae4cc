import { describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import type { Descriptor } from '../core/manifest';
import { availablePlatforms, parsePlatform, selectPlatforms } from './platforms';

const entry = (n: number, os: string, architecture: string, variant?: string): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: 100 + n,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
});

const amd64 = entry(1, 'linux', 'amd64');
const armv6 = entry(2, 'linux', 'arm', 'v6');
const armv7 = entry(3, 'linux', 'arm', 'v7');
const arm64 = entry(4, 'linux', 'arm64', 'v8');
const attestation = entry(5, 'unknown', 'unknown');
const index = [amd64, armv6, armv7, arm64, attestation];

describe('parsePlatform', () => {
  it.each([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['windows/amd64', { os: 'windows', architecture: 'amd64' }],
  ])('%s', (text, spec) => expect(parsePlatform(text)).toEqual(spec));

  it.each(['linux', 'linux/', '/amd64', 'linux/arm/v7/x', 'linux amd64', '', 'linux/am d64'])('refuses %j', (text) => {
    expect(parsePlatform(text)).toBeNull();
  });
});

describe('selectPlatforms', () => {
  it('keeps the index order and takes each entry once', () => {
    expect(selectPlatforms(index, ['linux/arm64', 'linux/amd64', 'linux/amd64'], 'x')).toEqual([amd64, arm64]);
  });

  it('matches a variant exactly when one is given', () => {
    expect(selectPlatforms(index, ['linux/arm/v6'], 'x')).toEqual([armv6]);
    expect(selectPlatforms(index, ['linux/arm64/v8'], 'x')).toEqual([arm64]);
  });

  it('without a variant: the entry without one, else the first of that os/arch', () => {
    expect(selectPlatforms(index, ['linux/arm'], 'x')).toEqual([armv6]);
    expect(selectPlatforms(index, ['linux/arm64'], 'x')).toEqual([arm64]);
    expect(selectPlatforms([armv7, entry(6, 'linux', 'arm')], ['linux/arm'], 'x')).toEqual([entry(6, 'linux', 'arm')]);
  });

  it('an unknown platform is PLATFORM_UNKNOWN with the choosable ones (not attestations)', () => {
    let err: unknown;
    try {
      selectPlatforms(index, ['linux/amd64', 'linux/arm/v5'], 'repo:tag');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({
      code: 'PLATFORM_UNKNOWN',
      status: 400,
      message: 'repo:tag has no platform linux/arm/v5; available: linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64/v8',
    });
    expect(() => selectPlatforms(index, ['unknown/unknown'], 'x')).toThrow(/no platform unknown\/unknown/);
    expect(() => selectPlatforms(index, ['nonsense'], 'x')).toThrow(/is not a platform/);
  });

  it('lists available platforms once each, in order', () => {
    expect(availablePlatforms([...index, amd64])).toEqual(['linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8']);
  });
});
