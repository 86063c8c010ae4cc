import { canonicalIp } from './names';
import { CertificateError } from './errors';

/** A registry address as clients name it (`HOST:PORT`), checked so it is safe to put into scripts. */
export interface RegistryHost {
  /** `HOST:PORT` (IPv6 as `[addr]:PORT`), what docker and podman call the registry. */
  authority: string;
  /** The host without brackets. */
  host: string;
  port: number;
  /** `host-port` with only [a-z0-9.-], for file names (trust-store entry, archive name). */
  slug: string;
}

const DNS = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Parses `HOST:PORT` (a DNS name, an IPv4 address or a bracketed IPv6 address, and a port). The port
 * is required: docker, containerd and podman look for `certs.d/HOST:PORT`, and without the port
 * they would look for the registry on 443.
 */
export function parseRegistryHost(input: string): RegistryHost {
  const s = input.trim().toLowerCase();
  const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(s);
  if (!m) {
    throw new CertificateError(
      `invalid registry address ${JSON.stringify(input)}: expected HOST:PORT as clients use it (e.g. registry.local:5443 or [fd00::2]:5443)`,
    );
  }
  const rawHost = m[1]!;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new CertificateError(`invalid port in ${input}: ${m[2]}`);
  const bracketed = rawHost.startsWith('[');
  const host = bracketed ? rawHost.slice(1, -1) : rawHost;
  const ip = canonicalIp(host);
  if (bracketed && (ip === undefined || !ip.includes(':'))) throw new CertificateError(`invalid IPv6 address in ${input}`);
  if (!bracketed && ip === undefined && !DNS.test(host)) {
    throw new CertificateError(`invalid host name in ${input}: letters, digits, dots and hyphens only`);
  }
  const name = ip ?? host;
  const authority = name.includes(':') ? `[${name}]:${port}` : `${name}:${port}`;
  const slug = `${name.replace(/[^a-z0-9.-]/g, '-')}-${port}`;
  return { authority, host: name, port, slug };
}
