import type { NetworkInterfaceInfo } from 'node:os';
import { canonicalIpAddress, checkCertificateName } from '../contract';
import { CertificateError } from './errors';

/**
 * The canonical form of an IP address (lower case, IPv6 compressed as RFC 5952 writes it), or
 * undefined when `s` is not one (the contract's canonicalIpAddress, which the GUI uses too).
 */
export function canonicalIp(s: string): string | undefined {
  return canonicalIpAddress(s) ?? undefined;
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

/** Names that cannot go into a certificate: each with its reason, so every one can be shown. */
export class InvalidNamesError extends CertificateError {
  constructor(
    /** The names refused, as given, and why. */
    readonly invalid: Array<{ name: string; problem: string }>,
  ) {
    super(
      invalid.length === 1
        ? `invalid name ${invalid[0]!.name}: ${invalid[0]!.problem}`
        : `${invalid.length} names cannot go into a certificate: ${invalid.map((i) => `${i.name} (${i.problem})`).join('; ')}`,
    );
    this.name = 'InvalidNamesError';
  }
}

/**
 * Checks a name the user adds to the server certificate and returns its canonical form: an IP
 * address, or a DNS name (lower case), where a wildcard may only be the whole left-most label and
 * must cover at least two more labels. The rules are the contract's {@link checkCertificateName},
 * which the GUI runs too.
 */
export function validateExtraName(input: string): string {
  const checked = checkCertificateName(input);
  if (!checked.ok) throw new InvalidNamesError([{ name: input.trim(), problem: checked.problem }]);
  return checked.name;
}

/** Checks every name; throws one InvalidNamesError naming each bad one, else returns them canonical. */
export function validateExtraNames(names: readonly string[]): string[] {
  const out: string[] = [];
  const invalid: Array<{ name: string; problem: string }> = [];
  for (const n of names) {
    const checked = checkCertificateName(n);
    if (checked.ok) out.push(checked.name);
    else invalid.push({ name: n.trim(), problem: checked.problem });
  }
  if (invalid.length > 0) throw new InvalidNamesError(invalid);
  return out;
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
