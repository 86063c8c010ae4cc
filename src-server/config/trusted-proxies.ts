import { isIP } from 'node:net';
import { type ConfigTree, nodeAt } from './tree';
import { ConfigError, type TrustedProxy } from './types';

/** Berth's key: the reverse proxies whose X-Forwarded-For names the client. */
export const TRUSTED_PROXIES_KEY = 'http.trustedproxies';

const EXAMPLE = '(e.g. 10.0.0.0/8, 192.168.1.10, fd00::/8)';

/** `ADDRESS` or `ADDRESS/PREFIX` as one range, or null when it is neither. */
export function parseCidr(text: string): TrustedProxy | null {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  // A zone (fe80::1%eth0) names an interface of this machine, not a range.
  const version = address.includes('%') ? 0 : isIP(address);
  if (version === 0) return null;
  const bits = version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) return null;
    prefix = Number(p);
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * `http.trustedproxies`: a YAML list of addresses and CIDR ranges, or (as REGISTRY_HTTP_TRUSTEDPROXIES
 * sets it) one comma-separated value; undefined when absent or empty. Anything else stops the start
 * with a ConfigError naming the key.
 */
export function trustedProxiesConfig(tree: ConfigTree): TrustedProxy[] | undefined {
  const node = nodeAt(tree, TRUSTED_PROXIES_KEY);
  if (node === undefined) return undefined;
  const items = typeof node === 'string' ? node.split(',') : Array.isArray(node) ? node : null;
  if (!items || items.some((i) => typeof i !== 'string')) {
    throw new ConfigError(`${TRUSTED_PROXIES_KEY}: expected a list of IP addresses and CIDR ranges ${EXAMPLE}`);
  }
  const ranges = (items as string[])
    .map((i) => i.trim())
    .filter((i) => i !== '' && i !== '~')
    .map((i) => {
      const range = parseCidr(i);
      if (!range) throw new ConfigError(`${TRUSTED_PROXIES_KEY}: "${i}" is not an IP address or CIDR range ${EXAMPLE}`);
      return range;
    });
  return ranges.length > 0 ? ranges : undefined;
}
