/**
 * The wall around a registry that runs without auth (`--auth none`). Nothing asks who the caller
 * is, so what keeps web pages in the user's browser out is where a request comes from:
 *
 * - **Origin**: a page of another origin can POST to `http://127.0.0.1:5000` (a blob upload, a
 *   manifest PUT) without reading the answer. A request whose `Origin` is not the server's own, or
 *   whose `Sec-Fetch-Site` says `cross-site`, is refused. docker, podman, skopeo and curl send no
 *   Origin.
 * - **Host** (DNS rebinding): a page on `attacker.example` whose name then resolves to 127.0.0.1
 *   reads `/v2` as its own origin, but its requests still say `Host: attacker.example`. Only these
 *   Host values are answered: loopback (`localhost`, 127.0.0.0/8, `[::1]`), this machine's host
 *   name (and `NAME.local`) and addresses, the address the client dialed on this very socket, and
 *   the configured names (the listen host, `--tls-name`, `berth cert names`; `*.wildcards` match one
 *   label). A request without Host (HTTP/1.0 tools) comes from no browser and is answered.
 *
 * Refusals are 403 DENIED with a message saying why, on every path (/v2, /token, /_berth, the GUI).
 */
import { hostname, networkInterfaces } from 'node:os';
import type { Context, Middleware, Next } from 'koa';
import { RegistryError } from '../core/errors';
import { canonicalIp, type MachineNames } from '../tls/names';

/** What the guard looks at in a request. */
export interface GuardRequest {
  /** The Host header as sent ('' when absent). */
  host: string;
  /** The Origin header ('' when absent). */
  origin: string;
  /** The Sec-Fetch-Site header ('' when absent). */
  secFetchSite: string;
  protocol: 'http' | 'https' | string;
  /** The local address of the socket: the address the client dialed. */
  localAddress: string | undefined;
}

/** Decides whether a host name or canonical IP (from a Host header) is one of this server's. */
export type AllowedHost = (name: string, localAddress: string | undefined) => boolean;

/** Options of {@link createOriginGuard}. */
export interface OriginGuardOptions {
  /** Configured names, IP addresses and `*.wildcards` clients may dial (read again on a miss, at most once a second). */
  names: () => readonly string[];
  /** The host name and interfaces (tests pass their own). */
  machine?: () => MachineNames;
  /** Says why the configured names could not be read (they are then kept as they were). */
  warn?: (message: string) => void;
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const REFRESH_MS = 1000;

/**
 * The host name in a Host header value (lower case, no trailing dot, IPv6 canonical without
 * brackets), or null when it is not `NAME[:PORT]`, `IPv4[:PORT]` or `[IPv6][:PORT]`.
 */
export function hostNameOf(host: string): string | null {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^[\]:\s/@\\]+))(?::\d{1,5})?$/i.exec(host.trim());
  if (!m) return null;
  if (m[1] !== undefined) {
    const ip = canonicalIp(m[1]);
    return ip !== undefined && ip.includes(':') ? ip : null;
  }
  return m[2]!.toLowerCase().replace(/\.$/, '') || null;
}

/** Why the guard refuses a request, or null when it is answered. */
export function requestProblem(r: GuardRequest, allowedHost: AllowedHost): string | null {
  if (r.host !== '') {
    const name = hostNameOf(r.host);
    if (name === null) return `Host ${JSON.stringify(r.host)} is not a host name; this registry runs without auth (--auth none) and answers only its own names`;
    if (!isLoopbackName(name) && !allowedHost(name, r.localAddress)) {
      return (
        `Host ${JSON.stringify(r.host)} is not a name of this registry, which runs without auth (--auth none) and answers only loopback, ` +
        `this machine's names and addresses and configured names (a web page using DNS rebinding sends names like this one); ` +
        `if clients dial ${name}, add it with --tls-name ${name}`
      );
    }
  }
  if (r.secFetchSite.toLowerCase() === 'cross-site') {
    return 'a web page of another site sent this request (Sec-Fetch-Site: cross-site); this registry runs without auth (--auth none) and refuses them';
  }
  if (r.origin !== '' && r.origin.toLowerCase() !== `${r.protocol}://${r.host}`.toLowerCase()) {
    return `a web page of another origin (${r.origin}) sent this request; this registry runs without auth (--auth none) and refuses them`;
  }
  return null;
}

function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '::1' || (LOOPBACK_V4.test(name) && canonicalIp(name) !== undefined);
}

/** The names this server may be addressed by, split into exact names and wildcard bases. */
interface KnownNames {
  exact: Set<string>;
  wildcardBases: string[];
}

function collectNames(configured: readonly string[], machine: MachineNames): KnownNames {
  const exact = new Set<string>();
  const wildcardBases: string[] = [];
  const host = machine.hostname.trim().toLowerCase().replace(/\.$/, '');
  if (host !== '') {
    exact.add(host);
    // mDNS: how other machines on the LAN name a host without a domain.
    if (!host.includes('.')) exact.add(`${host}.local`);
  }
  for (const list of Object.values(machine.interfaces)) {
    for (const a of list ?? []) {
      const ip = canonicalIp(a.address.split('%')[0] ?? '');
      if (ip !== undefined) exact.add(ip);
    }
  }
  for (const raw of configured) {
    const name = raw.trim().toLowerCase().replace(/\.$/, '');
    if (name.startsWith('*.')) wildcardBases.push(name.slice(2));
    else if (name !== '') exact.add(canonicalIp(name) ?? name);
  }
  return { exact, wildcardBases };
}

function knows(known: KnownNames, name: string): boolean {
  if (known.exact.has(name)) return true;
  return known.wildcardBases.some((base) => {
    if (!name.endsWith(`.${base}`)) return false;
    const label = name.slice(0, -base.length - 1);
    return label !== '' && !label.includes('.');
  });
}

/** The IP a socket's local address names (`::ffff:10.0.0.2` is 10.0.0.2). */
function dialedIp(localAddress: string | undefined): string | undefined {
  if (!localAddress) return undefined;
  return canonicalIp(localAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ''));
}

/** The guard of a registry without auth: a Koa middleware, and its Host decision for tests. */
export function createOriginGuard(opts: OriginGuardOptions): { middleware: Middleware; allowedHost: AllowedHost } {
  const machine = opts.machine ?? (() => ({ hostname: hostname(), interfaces: networkInterfaces() }));
  let configured: readonly string[] = [];
  const load = (): KnownNames => {
    try {
      configured = opts.names();
    } catch (err) {
      opts.warn?.(`the configured names could not be read, the previous ones stay: ${(err as Error).message}`);
    }
    return collectNames(configured, machine());
  };
  let known = load();
  let loadedAt = performance.now();
  const allowedHost: AllowedHost = (name, localAddress) => {
    if (knows(known, name)) return true;
    if (canonicalIp(name) !== undefined && canonicalIp(name) === dialedIp(localAddress)) return true;
    // A miss: addresses change (DHCP) and names get added while serving; look again, at most once a second.
    if (performance.now() - loadedAt < REFRESH_MS) return false;
    known = load();
    loadedAt = performance.now();
    return knows(known, name);
  };
  const middleware: Middleware = async (ctx: Context, next: Next) => {
    const problem = requestProblem(
      { host: ctx.get('host'), origin: ctx.get('origin'), secFetchSite: ctx.get('sec-fetch-site'), protocol: ctx.protocol, localAddress: ctx.req.socket.localAddress },
      allowedHost,
    );
    if (problem !== null) throw new RegistryError('DENIED', { message: `refused: ${problem}` });
    await next();
  };
  return { middleware, allowedHost };
}
