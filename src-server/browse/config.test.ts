import { describe, expect, it } from 'vitest';
import { parseImageConfig, platformName } from './config';

describe('parseImageConfig', () => {
  it('ignores fields of the wrong type instead of trusting them', () => {
    const c = parseImageConfig(Buffer.from(JSON.stringify({ created: 5, os: 'linux', config: { Env: ['A=1', 7], Labels: { a: 'b', n: 1 }, Cmd: 'sh' }, history: [{ created_by: 'x', empty_layer: 'yes' }] })));
    expect(c?.summary).toMatchObject({ created: null, os: 'linux', env: ['A=1'], labels: { a: 'b' }, cmd: null, exposedPorts: [] });
    expect(c?.history).toEqual([{ created: null, createdBy: 'x', comment: null, emptyLayer: false }]);
  });

  it('answers null for a body that is not a JSON object', () => {
    expect(parseImageConfig(Buffer.from('[1]'))).toBeNull();
    expect(parseImageConfig(Buffer.from('{'))).toBeNull();
  });
});

describe('platformName', () => {
  it('names platforms, and attestation manifests unknown', () => {
    expect(platformName({ os: 'linux', architecture: 'arm', variant: 'v7' })).toBe('linux/arm/v7');
    expect(platformName({ os: 'unknown', architecture: 'unknown' })).toBe('unknown');
    expect(platformName(null)).toBe('unknown');
  });
});
