import type { Context, Next } from 'koa';
import { BlockList, isIP } from 'node:net';
import type { TrustedProxy } from '../config/types';

/** Hops of X-Forwarded-For read from the right at most: a longer chain is no real proxy setup. */
const MAX_HOPS = 32;

/** The ranges of `http.trustedproxies` as a BlockList (node:net does the CIDR matching). */
export function trustedProxyList(proxies: readonly TrustedProxy[]): BlockList {
  const list = new BlockList();
  for (const p of proxies) list.addSubnet(p.address, p.prefix, p.family);
  return list;
}

/** An address as Berth shows and counts it: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4. */
function plain(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

/** One X-Forwarded-For hop as an address (`1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `::1`), or null. */
function hopAddress(hop: string): string | null {
  let a = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  return isIP(a) ? plain(a) : null;
}

function isTrusted(list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address. Without trusted proxies, or when the socket's peer is not one of them, it
 * is the peer, and X-Forwarded-For is ignored (anyone can write it). From a trusted peer it is the
 * rightmost X-Forwarded-For hop that is not itself trusted: each trusted proxy appends the address
 * it saw, so what lies left of that hop is the client's own claim. A hop that is no address stops
 * the walk at the last proxy that could be vouched for.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: BlockList | undefined): string {
  let client = plain(peer);
  if (!trusted || !forwardedFor || !isTrusted(trusted, client)) return client;
  const hops = forwardedFor.split(',').slice(-MAX_HOPS);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hopAddress(hops[i]!);
    if (hop === null) return client;
    client = hop;
    if (!isTrusted(trusted, hop)) return hop;
  }
  return client;
}

/**
 * Koa middleware that sets `ctx.ip` to the client's address (see clientAddress), for the throttle,
 * the auth log and the access log alike. Koa's own proxy handling stays off: it trusts any peer.
 */
export function clientAddressMiddleware(proxies: readonly TrustedProxy[] | undefined) {
  const trusted = proxies && proxies.length > 0 ? trustedProxyList(proxies) : undefined;
  return async (ctx: Context, next: Next): Promise<void> => {
    ctx.request.ip = clientAddress(ctx.request.socket.remoteAddress ?? '', ctx.get('X-Forwarded-For') || undefined, trusted);
    await next();
  };
}
