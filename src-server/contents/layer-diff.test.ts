import { describe, expect, it } from 'vitest';
import { diffLayers } from './layer-diff';

const d = (n: string, size: number) => ({ digest: `sha256:${n}`, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size });

describe('diffLayers', () => {
  it('tells shared and unshared layers and the size delta with the configs', () => {
    const r = diffLayers([d('a', 100), d('b', 20)], [d('a', 100), d('c', 50), d('e', 5)], 7, 9);
    expect(r.layers).toEqual({
      shared: [{ digest: 'sha256:a', size: 100 }],
      leftOnly: [{ digest: 'sha256:b', size: 20 }],
      rightOnly: [{ digest: 'sha256:c', size: 50 }, { digest: 'sha256:e', size: 5 }],
    });
    expect(r.size).toEqual({ left: 127, right: 164, delta: 37 });
  });

  it('counts a blob named twice once and ignores sizes that are not byte counts', () => {
    const r = diffLayers([d('a', 10), d('a', 10), d('x', -5)], [], Number.NaN, 3);
    expect(r.layers.leftOnly).toEqual([{ digest: 'sha256:a', size: 10 }, { digest: 'sha256:x', size: 0 }]);
    expect(r.size).toEqual({ left: 10, right: 3, delta: -7 });
  });
});
