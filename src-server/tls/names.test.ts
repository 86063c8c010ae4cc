import { describe, expect, it } from 'vitest';
import { canonicalIp, ipBytes, machineSubjectNames, sameNames, uniqueNames, validateExtraName } from './names';

describe('certificate names', () => {
  it.each([
    ['Registry.Local', 'registry.local'],
    ['*.registry.local', '*.registry.local'],
    ['*.Team.Example.Test.', '*.team.example.test'],
    ['10.0.0.7', '10.0.0.7'],
    ['FD00:0:0:0:0:0:0:2', 'fd00::2'],
    ['[::1]', '::1'],
    ['a-b.c9', 'a-b.c9'],
    ['localhost', 'localhost'],
    ['*.example.test', '*.example.test'],
    ['[FD00::2]', 'fd00::2'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['1.2.3.4.example', '1.2.3.4.example'],
    ['255.255.255.255', '255.255.255.255'],
  ])('accepts %s as %s', (input, out) => {
    expect(validateExtraName(input)).toBe(out);
  });

  it.each([
    ['', /empty/],
    ['a.*.b', /left-most/],
    ['reg*.example.test', /left-most/],
    ['*.*.example.test', /only one wildcard/],
    ['*.local', /two labels/],
    ['*', /two labels/],
    ['-bad.example', /label/],
    ['bad-.example', /label/],
    ['under_score.example', /label/],
    ['a..b', /label/],
    ['x'.repeat(64) + '.example', /label/],
    [`${'a.'.repeat(127)}bb`, /too long/],
    // RFC 1123 2.1: a name never has the dotted-decimal form, and its last label is not all digits.
    ['999.1.1.1', /^invalid name 999\.1\.1\.1: neither an IPv4 address \(four numbers 0 to 255\) nor a DNS name \(its last label is all digits\)$/],
    ['1.2.3', /neither an IPv4 address/],
    ['010.0.0.1', /neither an IPv4 address/],
    ['*.1.2', /last label is all digits/],
    ['exa_mple..com', /^invalid name exa_mple\.\.com: .*empty label/],
    ['exa_mple.com', /^invalid name exa_mple\.com: the label "exa_mple" may hold only letters, digits and hyphens/],
    ['fe80::1%eth0', /zone/],
    ['[::1', /not an IP address/],
    ['bücher.example', /xn--bcher-kva\.example/],
    ['registry.lan:5443', /port/],
    ['https://registry.lan', /not a URL/],
  ])('refuses %j', (input, why) => {
    expect(() => validateExtraName(input)).toThrow(why);
  });

  it('canonicalises IP addresses and rejects names', () => {
    expect(canonicalIp('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalIp('FE80:0000::0001')).toBe('fe80::1');
    expect(canonicalIp('192.168.1.20')).toBe('192.168.1.20');
    expect(canonicalIp('localhost')).toBeUndefined();
    expect(canonicalIp('1.2.3')).toBeUndefined();
  });

  it('turns addresses into SAN bytes', () => {
    expect(ipBytes('127.0.0.1').toString('hex')).toBe('7f000001');
    expect(ipBytes('::1').toString('hex')).toBe('0'.repeat(31) + '1');
    expect(ipBytes('fd00::2').toString('hex')).toBe('fd00' + '0'.repeat(27) + '2');
    expect(ipBytes('2001:db8::8:800:200c:417a').toString('hex')).toBe('20010db80000000000080800200c417a');
    expect(ipBytes('1::').toString('hex')).toBe('0001' + '0'.repeat(28));
    expect(() => ipBytes('nope')).toThrow(/not an IP/);
  });

  it('names the machine: loopback, host name, LAN addresses; not internal or link-local ones', () => {
    const names = machineSubjectNames({
      hostname: 'Build-Box',
      interfaces: {
        lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '', internal: true, cidr: null }],
        eth0: [
          { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null },
          { address: 'FD00::2', netmask: '', family: 'IPv6', mac: '', internal: false, cidr: null, scopeid: 0 },
          { address: 'fe80::fc:ff:fe00:1', netmask: '', family: 'IPv6', mac: '', internal: false, cidr: null, scopeid: 4 },
        ],
        docker0: [{ address: '172.17.0.1', netmask: '255.255.0.0', family: 'IPv4', mac: '', internal: false, cidr: null }],
      },
    });
    expect(names).toEqual(['localhost', '127.0.0.1', '::1', 'build-box', '192.168.1.20', 'fd00::2', '172.17.0.1']);
    // A host name that is no DNS name is left out rather than breaking the certificate.
    expect(machineSubjectNames({ hostname: 'my_box', interfaces: {} })).toEqual(['localhost', '127.0.0.1', '::1']);
  });

  it('compares name sets regardless of order, case and IP spelling', () => {
    expect(uniqueNames(['A.b', 'a.b', '0:0::1', '::1'])).toEqual(['a.b', '::1']);
    expect(sameNames(['a.b', '::1'], ['0:0:0:0:0:0:0:1', 'A.B'])).toBe(true);
    expect(sameNames(['a.b'], ['a.b', 'c.d'])).toBe(false);
    expect(sameNames(['a.b', 'x.y'], ['a.b', 'c.d'])).toBe(false);
  });
});
