import { describe, expect, it } from 'vitest';
import { diffConfigs, MAX_VALUE_TEXT } from './config-diff';

describe('diffConfigs', () => {
  it('compares env by name, labels and ports by key, and the other fields whole', () => {
    const left = {
      config: {
        Env: ['PATH=/usr/bin', 'A=1', 'GONE=x', 'EQ=a=b'],
        Entrypoint: ['/bin/sh', '-c'],
        Cmd: ['run'],
        WorkingDir: '/app',
        User: 'root',
        Labels: { keep: 'k', version: '1' },
        ExposedPorts: { '80/tcp': {} },
      },
    };
    const right = {
      config: {
        Env: ['PATH=/usr/bin', 'A=2', 'NEW=y', 'EQ=a=c'],
        Entrypoint: ['/bin/sh', '-c'],
        Cmd: ['serve'],
        WorkingDir: '/app',
        Labels: { version: '2', keep: 'k' },
        ExposedPorts: { '443/tcp': {} },
      },
    };
    expect(diffConfigs(left, right)).toEqual([
      { field: 'env', key: 'A', left: '"1"', right: '"2"' },
      { field: 'env', key: 'EQ', left: '"a=b"', right: '"a=c"' },
      { field: 'env', key: 'GONE', left: '"x"', right: null },
      { field: 'env', key: 'NEW', left: null, right: '"y"' },
      { field: 'cmd', left: '["run"]', right: '["serve"]' },
      { field: 'user', left: '"root"', right: null },
      { field: 'labels', key: 'version', left: '"1"', right: '"2"' },
      { field: 'exposedPorts', key: '443/tcp', left: null, right: '{}' },
      { field: 'exposedPorts', key: '80/tcp', left: '{}', right: null },
    ]);
  });

  it('never throws on hostile or missing shapes', () => {
    const shapes: unknown[] = [null, 42, 'text', [], { config: null }, { config: [] }, { config: { Env: 'A=1', Labels: ['x'], ExposedPorts: 3 } }, { config: { Env: [1, null, 'NOEQ', { a: 1 }] } }];
    for (const a of shapes) for (const b of shapes) expect(() => diffConfigs(a, b)).not.toThrow();
    expect(diffConfigs({ config: { Env: [1, 'NOEQ'] } }, {})).toEqual([{ field: 'env', key: 'NOEQ', left: 'null', right: null }]);
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => diffConfigs({ config: { Cmd: deep } }, {})).not.toThrow();
  });

  it('cuts huge values but compares them whole, and ignores key order', () => {
    const big = 'v'.repeat(100_000);
    const [change] = diffConfigs({ config: { Labels: { l: `${big}a` } } }, { config: { Labels: { l: `${big}b` } } });
    expect(change!.left!.length).toBe(MAX_VALUE_TEXT + 1);
    expect(change!.left).not.toBe(`${big}a`);
    expect(diffConfigs({ config: { Labels: { x: { a: 1, b: 2 } } } }, { config: { Labels: { x: { b: 2, a: 1 } } } })).toEqual([]);
  });
});
