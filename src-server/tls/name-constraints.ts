/**
 * X.509 name constraints for Berth's CA (RFC 5280 4.2.1.10). A CA that clients trust can vouch for
 * any site unless it says otherwise; Berth's says, as a critical extension, that it vouches only for
 * the names and addresses a registry on this machine can have:
 *
 * - dNSName subtrees: `localhost`, the host name and `HOST.local`, and every configured name (a
 *   `*.wildcard`'s base). A dNSName subtree covers the name and every name below it.
 * - iPAddress subtrees: loopback (127.0.0.0/8, ::1/128), the private and link-local ranges (10/8,
 *   172.16/12, 192.168/16, 169.254/16, 100.64/10 carrier-grade NAT, fc00::/7, fe80::/10), each of the
 *   host's own addresses outside those (/32, /128), and every configured address.
 *
 * Go (docker, podman, skopeo, containerd), OpenSSL and the OS verifiers refuse a server certificate
 * signed by the CA that names anything outside: a stolen ca.key cannot impersonate other sites to
 * the machines that trust the CA. node-forge does not write this extension, so its DER is built here.
 */
import forge from 'node-forge';
import { CertificateError } from './errors';
import { canonicalIp, ipBytes, type MachineNames } from './names';

const { asn1 } = forge;

/** The permitted subtrees of a CA: DNS names and IP ranges in CIDR form (`10.0.0.0/8`, `fc00::/7`). */
export interface NameConstraints {
  dns: string[];
  ip: string[];
}

/** The nameConstraints extension's OID. */
export const NAME_CONSTRAINTS_OID = '2.5.29.30';

/** Address ranges of machines on a LAN (and loopback): a local registry's addresses are in these. */
export const LOCAL_RANGES: readonly string[] = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '100.64.0.0/10',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

/** A CIDR as the address's bytes and the prefix length. */
function parseCidr(cidr: string): { bytes: Buffer; bits: number } {
  const [addr = '', len = ''] = cidr.split('/');
  const bytes = ipBytes(addr);
  const bits = Number(len);
  if (!/^\d{1,3}$/.test(len) || bits > bytes.length * 8) throw new CertificateError(`invalid address range ${cidr}`);
  return { bytes, bits };
}

function maskOf(bits: number, size: number): Buffer {
  const mask = Buffer.alloc(size);
  for (let i = 0; i < size; i++) mask[i] = bits >= (i + 1) * 8 ? 0xff : bits <= i * 8 ? 0 : (0xff << (8 - (bits - i * 8))) & 0xff;
  return mask;
}

/** True when the IP address `ip` lies in the range `cidr`. */
export function inRange(ip: string, cidr: string): boolean {
  const addr = ipBytes(ip);
  const range = parseCidr(cidr);
  if (addr.length !== range.bytes.length) return false;
  const mask = maskOf(range.bits, addr.length);
  return addr.every((b, i) => (b & mask[i]!) === (range.bytes[i]! & mask[i]!));
}

/** True when the DNS name `name` is `base` or below it. */
function underDomain(name: string, base: string): boolean {
  return name === base || name.endsWith(`.${base}`);
}

/**
 * True when a certificate name (a DNS name, a `*.wildcard` or an IP address, canonical) is inside
 * the constraints; everything is for an unconstrained CA (null).
 */
export function permits(c: NameConstraints | null, name: string): boolean {
  if (c === null) return true;
  const ip = canonicalIp(name);
  if (ip !== undefined) return c.ip.some((cidr) => inRange(ip, cidr));
  const host = name.toLowerCase().replace(/^\*\./, '');
  return c.dns.some((base) => underDomain(host, base));
}

/**
 * The constraints of a new CA for this machine and the configured names (canonical, as
 * validateExtraName returns them): what a Berth registry here can be called.
 */
export function constraintsFor(machine: MachineNames, configured: readonly string[]): NameConstraints {
  const dns: string[] = [];
  const ip: string[] = [...LOCAL_RANGES];
  const addDns = (name: string) => {
    if (!dns.some((base) => underDomain(name, base))) dns.push(name);
  };
  const addIp = (addr: string) => {
    if (!ip.some((cidr) => inRange(addr, cidr))) ip.push(`${addr}/${addr.includes(':') ? 128 : 32}`);
  };
  addDns('localhost');
  const host = machine.hostname.trim().toLowerCase().replace(/\.$/, '');
  if (/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/.test(host)) {
    addDns(host);
    // mDNS: how other machines on the LAN name a host without a domain.
    if (!host.includes('.')) addDns(`${host}.local`);
  }
  for (const list of Object.values(machine.interfaces)) {
    for (const a of list ?? []) {
      const addr = canonicalIp(a.address.split('%')[0] ?? '');
      if (addr !== undefined) addIp(addr);
    }
  }
  for (const name of configured) {
    const addr = canonicalIp(name);
    if (addr !== undefined) addIp(addr);
    else addDns(name.replace(/^\*\./, ''));
  }
  return { dns, ip };
}

/** The extension for forge's `setExtensions`: critical, permitted subtrees only, its DER built by hand. */
export function nameConstraintsExtension(c: NameConstraints): { id: string; critical: true; value: forge.asn1.Asn1 } {
  const subtree = (base: forge.asn1.Asn1) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [base]);
  const dnsBase = (name: string) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, name);
  const ipBase = (cidr: string) => {
    const { bytes, bits } = parseCidr(cidr);
    const mask = maskOf(bits, bytes.length);
    const network = bytes.map((b, i) => b & mask[i]!);
    return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, Buffer.concat([network, mask]).toString('binary'));
  };
  const permitted = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [...c.dns.map((n) => subtree(dnsBase(n))), ...c.ip.map((r) => subtree(ipBase(r)))]);
  return { id: NAME_CONSTRAINTS_OID, critical: true, value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [permitted]) };
}

/** The prefix length of a contiguous mask, or undefined when it is not one. */
function prefixLength(mask: Buffer): number | undefined {
  let bits = 0;
  let ended = false;
  for (const byte of mask) {
    for (let b = 7; b >= 0; b--) {
      const set = (byte >> b) & 1;
      if (set && ended) return undefined;
      if (set) bits++;
      else ended = true;
    }
  }
  return bits;
}

function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return canonicalIp(groups.join(':'))!;
}

/**
 * The permitted subtrees of a CA certificate (PEM), or null when it has no nameConstraints
 * extension (an unconstrained CA, such as one Berth made before it set them). Throws a
 * CertificateError for a constraint Berth cannot read (excluded subtrees, other name types).
 */
export function readNameConstraints(caPem: string): NameConstraints | null {
  const cert = forge.pki.certificateFromPem(caPem);
  const ext = (cert.extensions as Array<{ id: string; value: string }>).find((e) => e.id === NAME_CONSTRAINTS_OID);
  if (!ext) return null;
  const unreadable = (why: string) => new CertificateError(`the CA's name constraints cannot be read: ${why}`);
  const top = asn1.fromDer(ext.value);
  const out: NameConstraints = { dns: [], ip: [] };
  for (const trees of top.value as forge.asn1.Asn1[]) {
    if (trees.tagClass !== asn1.Class.CONTEXT_SPECIFIC || trees.type !== 0) throw unreadable('it excludes names');
    for (const subtree of trees.value as forge.asn1.Asn1[]) {
      const base = (subtree.value as forge.asn1.Asn1[])[0];
      if (!base || typeof base.value !== 'string') throw unreadable('a subtree without a name');
      if (base.type === 2) out.dns.push(base.value.toLowerCase());
      else if (base.type === 7) {
        const raw = Buffer.from(base.value, 'binary');
        const half = raw.length / 2;
        const bits = half === 4 || half === 16 ? prefixLength(raw.subarray(half)) : undefined;
        if (bits === undefined) throw unreadable('an address range that is not address/prefix');
        out.ip.push(`${formatIp(raw.subarray(0, half))}/${bits}`);
      } else throw unreadable(`a name type Berth does not use (${base.type})`);
    }
  }
  return out;
}

/** The constraints in words for messages and `cert info`: `localhost, box, 10.0.0.0/8, ...`. */
export function describeConstraints(c: NameConstraints): string {
  return [...c.dns, ...c.ip].join(', ');
}
