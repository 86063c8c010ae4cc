import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYER_LIMITS, ExpansionMeter, layerLimits } from './limits';

describe('layer limits', () => {
  it('fills what is not given from the defaults', () => {
    expect(layerLimits({ maxEntries: 5, maxBytes: undefined })).toEqual({ ...DEFAULT_LAYER_LIMITS, maxEntries: 5 });
  });

  it('throws TOO_LARGE past the size, and past the ratio only beyond its floor', () => {
    const meter = new ExpansionMeter(layerLimits({ maxBytes: 1000, maxRatio: 10, ratioFrom: 100 }), 'sha256:x');
    meter.addCompressed(5);
    meter.addUncompressed(100); // 20:1, but not past the floor yet
    expect(() => meter.addUncompressed(1)).toThrow(/more than 10:1/);
    const sized = new ExpansionMeter(layerLimits({ maxBytes: 1000 }), 'sha256:y');
    sized.addCompressed(1000);
    sized.addUncompressed(1000);
    expect(() => sized.addUncompressed(1)).toThrow(expect.objectContaining({ kind: 'TOO_LARGE', message: expect.stringContaining('beyond 1000 bytes') }));
  });
});
