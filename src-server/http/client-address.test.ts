import { describe, expect, it } from 'vitest';
import { clientAddress, trustedProxyList } from './client-address';

const trusted = trustedProxyList([
  { address: '127.0.0.1', prefix: 32, family: 'ipv4' },
  { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
  { address: 'fd00::', prefix: 8, family: 'ipv6' },
]);

describe('clientAddress', () => {
  const cases: Array<{ desc: string; peer: string; xff?: string; list?: typeof trusted; want: string }> = [
    { desc: 'no trusted proxies: the peer, whatever X-Forwarded-For says', peer: '127.0.0.1', xff: '203.0.113.9', list: undefined, want: '127.0.0.1' },
    { desc: 'an untrusted peer: X-Forwarded-For is ignored', peer: '198.51.100.4', xff: '203.0.113.9', want: '198.51.100.4' },
    { desc: 'a trusted peer without X-Forwarded-For', peer: '10.1.2.3', want: '10.1.2.3' },
    { desc: 'a trusted peer: the hop it saw', peer: '127.0.0.1', xff: '203.0.113.9', want: '203.0.113.9' },
    { desc: 'the rightmost hop that is not trusted, not what the client wrote on the left', peer: '127.0.0.1', xff: '1.1.1.1, 203.0.113.9, 10.0.0.5', want: '203.0.113.9' },
    { desc: 'every hop trusted: the leftmost', peer: '127.0.0.1', xff: '10.0.0.7, 10.0.0.5', want: '10.0.0.7' },
    { desc: 'a hop that is no address: the last proxy that could be vouched for', peer: '127.0.0.1', xff: '203.0.113.9, unknown, 10.0.0.5', want: '10.0.0.5' },
    { desc: 'an empty header', peer: '127.0.0.1', xff: '  ', want: '127.0.0.1' },
    { desc: 'ports and brackets on hops', peer: '127.0.0.1', xff: '[2001:db8::7]:4711, 203.0.113.9:8080', want: '203.0.113.9' },
    { desc: 'an IPv6 hop through an IPv6 proxy', peer: 'fd00::1', xff: '2001:db8::7', want: '2001:db8::7' },
    { desc: 'an IPv4-mapped peer is an IPv4 address', peer: '::ffff:10.0.0.5', xff: '203.0.113.9', want: '203.0.113.9' },
    { desc: 'an IPv4-mapped peer without proxies is shown as IPv4', peer: '::ffff:198.51.100.4', list: undefined, want: '198.51.100.4' },
    { desc: 'IPv4-mapped hops too', peer: '127.0.0.1', xff: '::ffff:203.0.113.9', want: '203.0.113.9' },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      expect(clientAddress(c.peer, c.xff, 'list' in c ? c.list : trusted)).toBe(c.want);
    });
  }

  it('reads at most the last hops of a huge header', () => {
    const xff = [...Array(10_000).keys()].map(() => '10.0.0.1').join(', ');
    // Every hop it reads is trusted, so it stops at the leftmost one it read.
    expect(clientAddress('127.0.0.1', `203.0.113.9, ${xff}`, trusted)).toBe('10.0.0.1');
  });
});
