import { describe, expect, it } from 'vitest';
import { configErrorOf, resolveForTest as resolve } from '../../test/helpers/config';

describe('http.trustedproxies', () => {
  it('is absent unless set, and is not reported as an unsupported key', () => {
    const { config, warnings } = resolve({ fileText: 'http:\n  trustedproxies: [10.0.0.0/8]\n' });
    expect(warnings).toEqual([]);
    expect(config.trustedProxies).toEqual([{ address: '10.0.0.0', prefix: 8, family: 'ipv4' }]);
    expect(resolve({}).config.trustedProxies).toBeUndefined();
    expect(resolve({ fileText: 'http:\n  trustedproxies: []\n' }).config.trustedProxies).toBeUndefined();
  });

  it('reads IPv4 and IPv6 ranges and single addresses from a YAML list in the config file', () => {
    const { config } = resolve({ fileText: 'http:\n  trustedproxies:\n    - 10.0.0.0/8\n    - 192.168.1.10\n    - fd00::/8\n    - ::1\n' });
    expect(config.trustedProxies).toEqual([
      { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { address: '192.168.1.10', prefix: 32, family: 'ipv4' },
      { address: 'fd00::', prefix: 8, family: 'ipv6' },
      { address: '::1', prefix: 128, family: 'ipv6' },
    ]);
  });

  it('reads REGISTRY_HTTP_TRUSTEDPROXIES as a comma-separated value (or a YAML list), over the file', () => {
    const env = { REGISTRY_HTTP_TRUSTEDPROXIES: '127.0.0.1/32, 2001:db8::/32' };
    const { config } = resolve({ env, fileText: 'http:\n  trustedproxies: [10.0.0.0/8]\n' });
    expect(config.trustedProxies).toEqual([
      { address: '127.0.0.1', prefix: 32, family: 'ipv4' },
      { address: '2001:db8::', prefix: 32, family: 'ipv6' },
    ]);
    expect(resolve({ env: { REGISTRY_HTTP_TRUSTEDPROXIES: '[172.16.0.0/12]' } }).config.trustedProxies).toEqual([
      { address: '172.16.0.0', prefix: 12, family: 'ipv4' },
    ]);
  });

  it('stops the start with an error naming the key for anything that is not an address or a range', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/8x', '10.0.0/8', 'proxy.example', '10.0.0.0/-1', '1.2.3.4/', '/8', '1.2.3.4:80', 'fe80::1%eth0']) {
      expect(configErrorOf({ env: { REGISTRY_HTTP_TRUSTEDPROXIES: bad } }), bad).toBe(
        `http.trustedproxies: "${bad}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 192.168.1.10, fd00::/8)`,
      );
    }
    expect(configErrorOf({ fileText: 'http:\n  trustedproxies:\n    nested: 10.0.0.0/8\n' })).toMatch(/^http\.trustedproxies: expected a list/);
    expect(configErrorOf({ fileText: 'http:\n  trustedproxies:\n    - [10.0.0.0/8]\n' })).toMatch(/^http\.trustedproxies: expected a list/);
  });
});
