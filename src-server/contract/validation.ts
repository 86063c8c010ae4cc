/**
 * Checks the GUI runs before it sends and the server runs again before it acts: one definition, so a
 * form never accepts what the server will refuse. Pure functions over strings (the globals `URL` and
 * `TextEncoder` exist in browsers and Node alike); no imports, no effects.
 */

/**
 * The fewest characters of a password Berth sets (the API, the GUI, `berth user add/passwd`). Twelve,
 * as OWASP's ASVS (V2.1.1) asks of user-chosen passwords: registry passwords are often typed once
 * into a CI secret, so length costs little, and they guard pushes as well as pulls. Passwords Berth
 * generates are 24 characters; existing htpasswd entries are not checked.
 */
export const MIN_PASSWORD_LENGTH = 12;

/** bcrypt reads at most this many bytes of a password. */
export const MAX_PASSWORD_BYTES = 72;

/** Why a new password cannot be set, in words; null when it can. Length is counted in characters. */
export function passwordProblem(password: string): string | null {
  if (password.length === 0) return 'the password is empty';
  if (/[\r\n]/.test(password)) return 'the password contains a line break';
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    return `the password has ${length} character${length === 1 ? '' : 's'}; use at least ${MIN_PASSWORD_LENGTH}`;
  }
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
    return `the password is longer than ${MAX_PASSWORD_BYTES} bytes; bcrypt would ignore the rest`;
  }
  return null;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;

/**
 * The canonical form of an IP address (IPv4 dotted quad without leading zeros; IPv6 lower case and
 * compressed as RFC 5952 writes it, brackets optional), or null when `s` is not one. A zone
 * (`%eth0`) is not an address a certificate or URL can carry.
 */
export function canonicalIpAddress(s: string): string | null {
  const bare = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  if (IPV4.test(bare)) return bare;
  if (!bare.includes(':') || /[^0-9a-fA-F:.]/.test(bare)) return null;
  try {
    const host = new URL(`http://[${bare}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return null;
  }
}

/** The outcome of {@link checkCertificateName}: the canonical name, or why it cannot be one. */
export type NameCheck = { ok: true; name: string } | { ok: false; problem: string };

const LDH = /^[a-z0-9-]+$/;

/**
 * Checks a name for a server certificate's subject alternative names as the server will: an IP
 * address, or a DNS name after RFC 1123 and RFC 5890 (labels of 1 to 63 letters, digits and hyphens,
 * not starting or ending with a hyphen, at most 253 characters, a last label that is not all digits,
 * internationalised names in their `xn--` form), where a wildcard may only be the whole left-most
 * label and must cover at least two more labels (`*.registry.local`, never `*.local`). That is what
 * Go's crypto/x509 (docker, podman, containerd) and OpenSSL match against. Returns the canonical
 * form (lower case, no trailing dot, IPv6 compressed).
 */
export function checkCertificateName(input: string): NameCheck {
  const bad = (problem: string): NameCheck => ({ ok: false, problem });
  const raw = input.trim();
  const lower = raw.toLowerCase();
  if (lower === '') return bad('an empty name cannot go into a certificate');
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(lower)) return bad('not a URL: give only the host name or address, e.g. registry.lan');
  const ip = canonicalIpAddress(lower);
  if (ip !== null) return { ok: true, name: ip };
  if (lower.includes('%')) return bad('an IPv6 zone (%…) cannot go into a certificate: give the address without it');
  if (/^[^:[\]]+:\d*$/.test(lower)) return bad('leave out the port: a certificate names hosts, not ports');
  if (lower.includes(':') || lower.includes('[') || lower.includes(']')) return bad('not an IP address (IPv6 is written like fd00::2)');
  const name = lower.replace(/\.$/, '');
  if (/[^\x21-\x7e]/.test(name)) {
    let ascii: string | null = null;
    try {
      ascii = new URL(`http://${name}/`).hostname;
    } catch {
      ascii = null;
    }
    return ascii && ascii !== name && /^[a-z0-9.*-]+$/.test(ascii)
      ? bad(`write an internationalised name in its ASCII form: ${ascii}`)
      : bad('only letters, digits, hyphens and dots (an internationalised name in its xn-- form)');
  }
  if (name.length > 253) return bad('too long (over 253 characters)');
  const labels = name.split('.');
  const wildcard = labels[0] === '*';
  if (name.includes('*') && !wildcard) return bad('a wildcard may only be the whole left-most label, as in *.registry.local');
  const rest = wildcard ? labels.slice(1) : labels;
  if (rest.some((l) => l.includes('*'))) return bad('only one wildcard, as the whole left-most label');
  if (wildcard && rest.length < 2) return bad('a wildcard needs at least two labels after it (*.registry.local)');
  if (rest.some((l) => l === '')) return bad('an empty label (two dots in a row, or a dot at the start)');
  for (const l of rest) {
    if (l.length > 63) return bad(`the label "${l.slice(0, 12)}…" is longer than 63 characters`);
    if (!LDH.test(l)) return bad(`the label "${l}" may hold only letters, digits and hyphens`);
    if (l.startsWith('-') || l.endsWith('-')) return bad(`the label "${l}" starts or ends with a hyphen`);
  }
  if (/^\d+$/.test(rest[rest.length - 1]!)) {
    return rest.every((l) => /^\d+$/.test(l))
      ? bad('neither an IPv4 address (four numbers 0 to 255) nor a DNS name (its last label is all digits)')
      : bad('not a DNS name: its last label is all digits');
  }
  return { ok: true, name };
}

/**
 * True when a certificate naming `names` (canonical SANs, as `cert:info` reports them) is valid for
 * `host` as clients dial it: the same name or address, or a wildcard `*.rest` and a host of exactly
 * one more label (RFC 6125: `*.registry.local` covers `a.registry.local`, not `a.b.registry.local`).
 */
export function namesCoverHost(names: readonly string[], host: string): boolean {
  const checked = checkCertificateName(host);
  if (!checked.ok || checked.name.startsWith('*.')) return false;
  const h = checked.name;
  const isIp = canonicalIpAddress(h) !== null;
  return names.some((n) => {
    const want = n.toLowerCase();
    if (want === h || canonicalIpAddress(want) === h) return true;
    if (isIp || !want.startsWith('*.')) return false;
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === want.slice(2);
  });
}

/** A listen address split: `host` undefined for every interface (`:5000`). */
export interface ListenParts {
  host: string | undefined;
  port: number;
}

/**
 * Parses a listen address the way `berth serve` reads `--listen` and `http.addr`: `HOST:PORT`,
 * `[v6]:PORT`, or `:PORT` for every interface; null when it is none of those.
 */
export function parseListenAddress(value: string): ListenParts | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  const host = m[1] ?? m[2];
  return { host: host ? host : undefined, port };
}

type HostKind = 'any' | 'any4' | 'ip4' | 'ip6' | 'name';

function hostKind(host: string | undefined): HostKind {
  if (host === undefined || host === '::') return 'any';
  if (host === '0.0.0.0') return 'any4';
  const ip = canonicalIpAddress(host);
  if (ip === null) return 'name';
  if (ip === '::') return 'any';
  return ip.includes(':') ? 'ip6' : 'ip4';
}

const isLoopbackIp = (ip: string) => ip === '::1' || /^127\./.test(ip);

/**
 * True when two listeners cannot both bind: the same port (never port 0, which picks a free one)
 * on overlapping addresses. Every interface (`:PORT`, `[::]`) overlaps everything, `0.0.0.0` every
 * IPv4 address and every name, `localhost` the loopback addresses; a name (which only the server
 * can resolve) overlaps itself.
 */
export function listenersCollide(a: ListenParts, b: ListenParts): boolean {
  if (a.port !== b.port || a.port === 0) return false;
  const ka = hostKind(a.host);
  const kb = hostKind(b.host);
  if (ka === 'any' || kb === 'any') return true;
  if (ka === 'any4' || kb === 'any4') {
    const other = ka === 'any4' ? kb : ka;
    return other !== 'ip6';
  }
  const ha = canonicalIpAddress(a.host!) ?? a.host!.toLowerCase();
  const hb = canonicalIpAddress(b.host!) ?? b.host!.toLowerCase();
  if (ha === hb) return true;
  if (ha === 'localhost') return isLoopbackIp(hb);
  if (hb === 'localhost') return isLoopbackIp(ha);
  return false;
}

/** A settings field and why its value cannot be saved. */
export interface FieldProblem {
  field: 'listen' | 'tlsListen';
  message: string;
}

function listenProblem(value: string, label: string): string | null {
  const parts = parseListenAddress(value);
  if (!parts) return `${label}: "${value.trim()}" is not HOST:PORT (e.g. 127.0.0.1:5000, [::1]:5000, or :5000 for every interface; the port 0 to 65535)`;
  if (parts.host !== undefined && canonicalIpAddress(parts.host) === null) {
    const name = checkCertificateName(parts.host);
    if (!name.ok || name.name.startsWith('*')) return `${label}: "${parts.host}" is not an IP address or a host name`;
  }
  return null;
}

/**
 * What is wrong with a pair of listen addresses that `berth serve` could not start with, as far as
 * the addresses alone tell: a value that is not `HOST:PORT`, and two listeners on one port of the
 * same address (named on `changed`, the field the user edited; the HTTPS one when unsaid). The server
 * checks more: addresses of this machine, names that resolve to the other listener, auth, the GUI.
 */
export function listenSettingsProblems(s: { listen: string; tlsListen: string | null }, changed: 'listen' | 'tlsListen' = 'tlsListen'): FieldProblem[] {
  const out: FieldProblem[] = [];
  const http = listenProblem(s.listen, 'HTTP listen address');
  if (http) out.push({ field: 'listen', message: http });
  if (s.tlsListen === null || s.tlsListen.trim() === '') return out;
  const tls = listenProblem(s.tlsListen, 'HTTPS listen address');
  if (tls) out.push({ field: 'tlsListen', message: tls });
  const a = parseListenAddress(s.listen);
  const b = parseListenAddress(s.tlsListen);
  if (!http && !tls && a && b && listenersCollide(a, b)) out.push(collision(s.listen.trim(), s.tlsListen.trim(), a.port, changed));
  return out;
}

/** The problem of two listeners on one port, named on the field the user changed. */
export function collision(listen: string, tlsListen: string, port: number, field: 'listen' | 'tlsListen', why = ''): FieldProblem {
  const [mine, theirs] = field === 'listen' ? [`HTTP listen address ${listen}`, `HTTPS listener ${tlsListen}`] : [`HTTPS listen address ${tlsListen}`, `HTTP listener ${listen}`];
  const other = field === 'listen' ? (port === 5000 ? 5001 : 5000) : port === 5443 ? 5444 : 5443;
  return {
    field,
    message: `${mine}${why} uses port ${port}, as the ${theirs} does: two listeners cannot share a port on the same address. Choose another port (e.g. ${other}).`,
  };
}
