/**
 * Whether `berth serve` (or the desktop's registry process) could start with the listen addresses
 * the GUI is about to save. Saving what the next start refuses would say "Saved" and leave a
 * registry that does not come back, so every such combination is refused now, naming the field:
 * not `HOST:PORT`, two listeners on one port (names resolved), an address this machine does not
 * have, a port the process may not bind, a network listener while auth is off, and a plain-HTTP
 * GUI other machines could reach.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { canonicalIpAddress, collision, listenSettingsProblems, parseListenAddress, type FieldProblem, type ListenParts } from '../contract';
import { isLoopback } from './resolve';

/** What the checks need to know about the machine and the process. */
export interface StartableContext {
  /** Auth is off (`--auth none`) and the network was not allowed (`--allow-open-network`). */
  openNetworkRefused: boolean;
  /** The GUI is served over HTTP by this process (`berth serve --ui`), not over IPC. */
  guiOverHttp: boolean;
  /** A provided certificate (`http.tls`) makes the main listener HTTPS. */
  mainListenerTls: boolean;
  /** Addresses of this machine's interfaces. */
  machineAddresses: () => string[];
  /** Resolves a host name to its addresses ([] when it does not resolve). */
  lookup: (host: string) => Promise<string[]>;
  /** Ports below this need privileges this process lacks (0: none). */
  lowestUnprivilegedPort: () => number;
}

/** The listen addresses of the next start, and which of them the patch changes. */
export interface NextListeners {
  listen: string;
  tlsListen: string | null;
  changed: { listen: boolean; tlsListen: boolean };
}

const LABELS = { listen: 'HTTP listen address', tlsListen: 'HTTPS listen address' } as const;

/** The first reason the next start could not use these listeners, or null. */
export async function startProblem(next: NextListeners, ctx: StartableContext): Promise<FieldProblem | null> {
  const changedField = next.changed.listen && !next.changed.tlsListen ? 'listen' : 'tlsListen';
  const syntax = listenSettingsProblems({ listen: next.listen, tlsListen: next.tlsListen }, changedField);
  if (syntax.length > 0) return syntax[0]!;
  const fields = (['listen', 'tlsListen'] as const).filter((f) => f === 'listen' || next.tlsListen !== null);
  const parts = { listen: parseListenAddress(next.listen)!, tlsListen: next.tlsListen === null ? null : parseListenAddress(next.tlsListen)! };

  const resolved: Partial<Record<'listen' | 'tlsListen', string[]>> = {};
  for (const f of fields) {
    if (!next.changed[f]) continue;
    const p = parts[f]!;
    const address = await addressProblem(p, ctx);
    const problem = typeof address === 'string' ? address : portProblem(p, ctx);
    if (problem) return { field: f, message: `${LABELS[f]} ${next[f]}: ${problem}` };
    resolved[f] = (address as { addresses: string[] }).addresses;
  }
  // A name and an address (or two names) may still land on one address: compare what they resolve to.
  if (parts.tlsListen && parts.listen.port === parts.tlsListen.port && parts.listen.port !== 0) {
    const a = resolved.listen ?? (await addressesOf(parts.listen, ctx));
    const b = resolved.tlsListen ?? (await addressesOf(parts.tlsListen, ctx));
    const shared = a.find((x) => b.includes(x));
    if (shared !== undefined) {
      const names = [parts.listen.host, parts.tlsListen.host].filter((h): h is string => h !== undefined && canonicalIpAddress(h) === null);
      const why = names.length ? ` (${names.map((h) => `${h} resolves to ${shared}`).join(', ')})` : '';
      return collision(next.listen, next.tlsListen!, parts.listen.port, changedField, why);
    }
  }
  if (ctx.openNetworkRefused) {
    for (const f of fields) {
      if (!isLoopback(parts[f]!)) {
        return {
          field: f,
          message: `${LABELS[f]} ${next[f]} is reachable from the network and auth is off: everyone could push and delete, so Berth would refuse to start. Keep it on 127.0.0.1, or start Berth with auth on.`,
        };
      }
    }
  }
  if (ctx.guiOverHttp && !ctx.mainListenerTls && !isLoopback(parts.listen) && next.tlsListen === null) {
    return {
      field: 'tlsListen',
      message:
        `with HTTP on ${next.listen}, which other machines can reach, and no HTTPS listener, the GUI would send the admin password and the session cookie ` +
        'across the network in clear, so Berth would refuse to start. Set an HTTPS listen address too (the GUI then moves there), or keep HTTP on 127.0.0.1.',
    };
  }
  return null;
}

/** Why a listener cannot bind this host, or the addresses it binds (empty for every interface). */
async function addressProblem(p: ListenParts, ctx: StartableContext): Promise<string | { addresses: string[] }> {
  if (p.host === undefined) return { addresses: [] };
  const ip = canonicalIpAddress(p.host);
  const mine = ctx.machineAddresses().map((a) => canonicalIpAddress(a) ?? a);
  const local = (a: string) => isWildcard(a) || /^127\./.test(a) || a === '::1' || mine.includes(a);
  if (ip !== null) {
    return local(ip) ? { addresses: [ip] } : `${ip} is not an address of this machine (it has ${mine.join(', ')}), so the registry could not listen there`;
  }
  if (p.host.toLowerCase() === 'localhost') return { addresses: ['127.0.0.1', '::1'] };
  let addresses: string[];
  try {
    addresses = (await ctx.lookup(p.host)).map((a) => canonicalIpAddress(a) ?? a);
  } catch {
    addresses = [];
  }
  if (addresses.length === 0) return `${p.host} does not resolve here, so the registry could not listen there`;
  // Node listens on the first address a name resolves to.
  if (!local(addresses[0]!)) return `${p.host} resolves to ${addresses.join(', ')}, not an address of this machine (it has ${mine.join(', ')})`;
  return { addresses };
}

function portProblem(p: ListenParts, ctx: StartableContext): string | null {
  const lowest = ctx.lowestUnprivilegedPort();
  if (p.port === 0 || p.port >= lowest) return null;
  return `port ${p.port} is below ${lowest}, and this process may not listen on such ports (it would need root or CAP_NET_BIND_SERVICE); choose ${lowest} or above`;
}

async function addressesOf(p: ListenParts, ctx: StartableContext): Promise<string[]> {
  const r = await addressProblem(p, ctx);
  return typeof r === 'string' ? [] : r.addresses;
}

const isWildcard = (a: string) => a === '0.0.0.0' || a === '::';

/** This machine's interface addresses. */
export function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address.split('%')[0]!));
}

/** Resolves a name with the system's resolver (hosts file, DNS), giving up after 3 s. */
export async function lookupAddresses(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), 3000);
  });
  try {
    const found = await Promise.race([dnsLookup(host, { all: true, verbatim: true }), timeout]);
    return found.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The lowest port this process may listen on: 0 where any will do (root, CAP_NET_BIND_SERVICE,
 * macOS and Windows), else Linux's `ip_unprivileged_port_start` (1024 by default).
 */
export function lowestUnprivilegedPort(): number {
  if (process.platform === 'darwin' || process.platform === 'win32') return 0;
  if (process.getuid?.() === 0) return 0;
  if (process.platform === 'linux') {
    try {
      const caps = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
      // Bit 10 is CAP_NET_BIND_SERVICE.
      if (caps && (BigInt(`0x${caps}`) >> 10n) & 1n) return 0;
      return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
    } catch {
      return 1024;
    }
  }
  return 1024;
}
