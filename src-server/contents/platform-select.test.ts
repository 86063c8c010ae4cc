import { describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { choosePlatform, hostPlatform, platformsOf } from './platform-select';

const e = (digest: string, os: string, architecture: string, variant?: string, annotations?: Record<string, string>) => ({
  digest,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  platform: variant ? { os, architecture, variant } : { os, architecture },
  ...(annotations ? { annotations } : {}),
});
const amd = e('amd', 'linux', 'amd64');
const arm64 = e('arm64', 'linux', 'arm64', 'v8');
const armv6 = e('armv6', 'linux', 'arm', 'v6');
const armv7 = e('armv7', 'linux', 'arm', 'v7');
const att = e('att', 'unknown', 'unknown', undefined, { 'vnd.docker.reference.type': 'attestation-manifest' });
const index = [amd, att, arm64, armv6, armv7];

function refusal(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (err) {
    return err as RegistryError;
  }
  throw new Error('no error');
}

describe('hostPlatform', () => {
  it('maps Node arches to OCI', () => {
    expect(hostPlatform('linux', 'x64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(hostPlatform('darwin', 'arm64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(hostPlatform('linux', 'arm')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(hostPlatform('win32', 'x64')).toEqual({ os: 'windows', architecture: 'amd64' });
  });
});

describe('choosePlatform', () => {
  it('takes the wanted platform, variants defaulted', () => {
    expect(choosePlatform(index, 'linux/amd64').digest).toBe('amd');
    expect(choosePlatform(index, 'linux/arm64').digest).toBe('arm64');
    expect(choosePlatform(index, 'linux/arm64/v8').digest).toBe('arm64');
    expect(choosePlatform(index, 'linux/arm/v6').digest).toBe('armv6');
    expect(choosePlatform(index, 'linux/arm').digest).toBe('armv7');
  });

  it('takes the machine’s platform without --platform', () => {
    expect(choosePlatform(index, undefined, { os: 'linux', architecture: 'arm64', variant: 'v8' }).digest).toBe('arm64');
    expect(choosePlatform(index, undefined, { os: 'linux', architecture: 'amd64' }).digest).toBe('amd');
  });

  it('takes the only image of an index whatever the machine (attestations aside)', () => {
    expect(choosePlatform([att, armv6], undefined, { os: 'linux', architecture: 'amd64' }).digest).toBe('armv6');
  });

  it('lists the platforms when the wanted one is missing', () => {
    const err = refusal(() => choosePlatform(index, 'linux/s390x'));
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.code).toBe('PLATFORM_UNKNOWN');
    expect(err.message).toBe('the image has no platform linux/s390x; it has linux/amd64, linux/arm64/v8, linux/arm/v6, linux/arm/v7');
    expect(refusal(() => choosePlatform(index, 'linux/arm64/v9')).message).toMatch(/no platform linux\/arm64\/v9/);
    expect(refusal(() => choosePlatform(index, 'unknown/unknown')).message).toMatch(/no platform unknown\/unknown/);
  });

  it('asks for --platform when no platform is this machine’s', () => {
    const err = refusal(() => choosePlatform([amd, arm64], undefined, { os: 'linux', architecture: 'riscv64' }));
    expect(err.code).toBe('PLATFORM_UNKNOWN');
    expect(err.message).toMatch(/none of its platforms is this machine's \(linux\/riscv64\): choose one with --platform \(linux\/amd64, linux\/arm64\/v8\)/);
  });

  it('refuses a malformed platform', () => {
    expect(refusal(() => choosePlatform(index, 'amd64')).message).toMatch(/is not a platform/);
  });

  it('lists platforms without attestations', () => {
    expect(platformsOf(index)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v6', 'linux/arm/v7']);
  });
});
