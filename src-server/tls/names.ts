import { isIP } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { CertificateError } from './errors';


const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The canonical form of an IP address (lower case, IPv6 compressed as RFC 5952 writes it), or
 * undefined when `s` is not one. The WHATWG URL parser does the canonicalisation.
 */
export function canonicalIp(s: string): string | undefined {
  const bare = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return undefined;
}

/** The 4 or 16 bytes of an IP address, as an X.509 iPAddress SAN holds them. */
export function ipBytes(ip: string): Buffer {
  const c = canonicalIp(ip);
  if (c === undefined) throw new CertificateError(`not an IP address: ${ip}`);
  if (!c.includes(':')) return Buffer.from(c.split('.').map(Number));
  const [head = '', tail = ''] = c.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const h = groups(head);
  const t = c.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/**
 * Checks a name the user adds to the server certificate and returns its canonical form: an IP
 * address, or a DNS name (lower case), where a wildcard may only be the whole left-most label and
 * must cover at least two more labels (`*.registry.local`, never `*.local`, `reg*.x.y` or `a.*.b`).
 */
export function validateExtraName(input: string): string {
  const name = input.trim().toLowerCase().replace(/\.$/, '');
  if (name === '') throw new CertificateError('an empty name cannot go into a certificate');
  const ip = canonicalIp(name);
  if (ip !== undefined) return ip;
  if (name.length > 253) throw new CertificateError(`name too long (over 253 characters): ${input}`);
  const labels = name.split('.');
  const wildcard = labels[0] === '*';
  if (name.includes('*') && !wildcard) {
    throw new CertificateError(`invalid name ${input}: a wildcard may only be the whole left-most label, as in *.registry.local`);
  }
  const rest = wildcard ? labels.slice(1) : labels;
  if (rest.some((l) => l.includes('*'))) {
    throw new CertificateError(`invalid name ${input}: only one wildcard, as the whole left-most label`);
  }
  if (wildcard && rest.length < 2) {
    throw new CertificateError(`invalid name ${input}: a wildcard needs at least two labels after it (*.registry.local)`);
  }
  for (const l of rest) {
    if (!LABEL.test(l)) {
      throw new CertificateError(
        `invalid name ${input}: each label is 1-63 letters, digits or hyphens, not starting or ending with a hyphen`,
      );
    }
  }
  return name;
}

/** What the machine looks like to the certificate: its host name and network interfaces. */
export interface MachineNames {
  hostname: string;
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/**
 * The names every Berth server certificate carries: localhost, 127.0.0.1, ::1, the host name and
 * every non-internal address. IPv6 link-local addresses (fe80::/10) are left out: they need a zone
 * (`%eth0`) that no URL or certificate can carry.
 */
export function machineSubjectNames(machine: MachineNames): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  const host = machine.hostname.trim().toLowerCase();
  if (host !== '') {
    try {
      names.push(validateExtraName(host));
    } catch {
      // A host name that is not a valid DNS name (underscores, say) cannot be a SAN; the addresses still are.
    }
  }
  for (const list of Object.values(machine.interfaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      const ip = canonicalIp(a.address.split('%')[0] ?? '');
      if (ip === undefined || /^fe[89ab][0-9a-f]:/.test(ip)) continue;
      names.push(ip);
    }
  }
  return names;
}

/** Canonical names without duplicates, in first-seen order. */
export function uniqueNames(names: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const n of names) seen.add(canonicalIp(n) ?? n.toLowerCase());
  return [...seen];
}

/** True when two name lists hold the same set of names. */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(uniqueNames(a));
  const sb = new Set(uniqueNames(b));
  return sa.size === sb.size && [...sa].every((n) => sb.has(n));
}
