import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MachineNames } from './names';
import { constraintsFor, inRange, permits, readNameConstraints, type NameConstraints } from './name-constraints';
import { createCaCertificate, generateRsaKey, type KeyPairPem } from './x509';

const MACHINE: MachineNames = {
  hostname: 'Berth-Box',
  interfaces: {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '', internal: true, cidr: null }],
    eth0: [
      { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null },
      { address: '203.0.113.7', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null },
      { address: '2001:db8::7', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '', internal: false, cidr: null, scopeid: 0 },
      { address: 'fe80::1%eth0', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '', internal: false, cidr: null, scopeid: 2 },
    ],
  },
};
const CONFIGURED = ['registry.example.test', '*.wild.example.test', '198.51.100.9', 'x.berth-box'];

let key: KeyPairPem;
beforeAll(async () => {
  key = await generateRsaKey(2048);
});

describe('constraintsFor', () => {
  it('covers localhost, the host names, the LAN ranges, the host addresses and the configured names, once each', () => {
    const c = constraintsFor(MACHINE, CONFIGURED);
    expect(c.dns).toEqual(['localhost', 'berth-box', 'berth-box.local', 'registry.example.test', 'wild.example.test']);
    expect(c.ip).toEqual([
      '127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '::1/128', 'fc00::/7', 'fe80::/10',
      '203.0.113.7/32', '2001:db8::7/128', '198.51.100.9/32',
    ]);
  });

  it('leaves out a host name that is no DNS name', () => {
    expect(constraintsFor({ ...MACHINE, hostname: 'my_box' }, []).dns).toEqual(['localhost']);
  });
});

describe('permits', () => {
  const c = constraintsFor(MACHINE, CONFIGURED);
  it.each([
    'localhost', 'berth-box', 'BERTH-BOX', 'berth-box.local', 'a.registry.example.test', 'registry.example.test', '*.wild.example.test',
    'x.wild.example.test', '*.registry.example.test', '127.0.0.1', '127.1.2.3', '10.200.0.1', '172.31.255.255', '192.168.77.1', '169.254.1.1',
    '100.127.0.1', '::1', 'fd12::1', 'fe80::99', '203.0.113.7', '2001:db8::7', '198.51.100.9',
  ])('permits %s', (name) => expect(permits(c, name)).toBe(true));
  it.each([
    'evil.example', 'example.test', 'berth-box.evil', 'localhost.evil', 'evilregistry.example.test', '*.example.test', '172.32.0.1',
    '192.169.0.1', '100.128.0.1', '8.8.8.8', '203.0.113.8', '2001:db8::8', '::2', 'fe00::1', '198.51.100.10',
  ])('refuses %s', (name) => expect(permits(c, name)).toBe(false));
  it('permits everything for an unconstrained CA', () => expect(permits(null, 'evil.example')).toBe(true));
  it('compares ranges by family', () => {
    expect(inRange('10.0.0.1', 'fc00::/7')).toBe(false);
    expect(inRange('::ffff:10.0.0.1', '10.0.0.0/8')).toBe(false);
  });
});

describe('the CA certificate extension', () => {
  const constraints: NameConstraints = constraintsFor(MACHINE, CONFIGURED);

  it('is critical, reads back as written, and openssl prints every subtree', () => {
    const pem = createCaCertificate({ commonName: 'Test CA', key, now: new Date(), constraints });
    expect(readNameConstraints(pem)).toEqual(constraints);
    const text = spawnSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' }).stdout;
    expect(text).toMatch(/X509v3 Name Constraints: critical\n\s+Permitted:\n/);
    for (const line of ['DNS:berth-box.local', 'DNS:wild.example.test', 'IP:172.16.0.0/255.240.0.0', 'IP:100.64.0.0/255.192.0.0',
      'IP:FE80:0:0:0:0:0:0:0/FFC0:0:0:0:0:0:0:0', 'IP:203.0.113.7/255.255.255.255', 'IP:2001:DB8:0:0:0:0:0:7/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF']) {
      expect(text).toContain(line);
    }
  });

  it('is absent without constraints (an unconstrained CA reads as null)', () => {
    const pem = createCaCertificate({ commonName: 'Old CA', key, now: new Date() });
    expect(readNameConstraints(pem)).toBeNull();
  });
});
