/**
 * Checks and normalises what the user typed for a connection, with messages that say what to fix.
 * Every refusal is RegistryError('CONNECTION_INVALID') with `detail.field`.
 */
import { X509Certificate } from 'node:crypto';
import type { ConnectionDraft, ConnectionKind, ConnectionTrust } from '../contract';
import { RegistryError } from '../core/errors';
import { isValidName } from '../core/names';

/** The kinds a saved connection may have (the local one is built in). */
export const REMOTE_KINDS: readonly ConnectionDraft['kind'][] = ['registry', 'dockerhub', 'ghcr', 'harbor', 'quay'];

/** Docker Hub's Distribution API; `docker.io` and the web site's host name mean it. */
export const DOCKER_HUB_URL = 'https://registry-1.docker.io';

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'hub.docker.com', 'registry.hub.docker.com', 'www.docker.com']);

/** The URL a kind gets when the user leaves it empty. */
const DEFAULT_URLS: Partial<Record<ConnectionKind, string>> = {
  dockerhub: DOCKER_HUB_URL,
  ghcr: 'https://ghcr.io',
  quay: 'https://quay.io',
};

const MAX_NAME = 100;

/** A refusal of one field. */
export function invalid(field: string, message: string): RegistryError {
  return new RegistryError('CONNECTION_INVALID', { message, detail: { field } });
}

/** A name: trimmed, required, at most 100 characters. */
export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalid('name', 'a connection needs a name');
  const trimmed = name.trim();
  if (trimmed.length > MAX_NAME) throw invalid('name', `a connection name has at most ${MAX_NAME} characters`);
  return trimmed;
}

/** A kind of remote connection. */
export function checkKind(kind: unknown): ConnectionDraft['kind'] {
  if (typeof kind === 'string' && (REMOTE_KINDS as readonly string[]).includes(kind)) return kind as ConnectionDraft['kind'];
  throw invalid('kind', `the kind must be one of ${REMOTE_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
}

/**
 * A registry's base URL: `https://` added when no scheme is given, only http(s), no credentials,
 * query or fragment, a trailing `/` or `/v2/` removed; Docker Hub's names become its API host.
 * Empty means the kind's usual host (Docker Hub, GHCR, Quay).
 */
export function normalizeUrl(url: unknown, kind: ConnectionDraft['kind']): string {
  if (typeof url !== 'string') throw invalid('url', 'the URL must be a string');
  let text = url.trim();
  if (text === '') {
    const fallback = DEFAULT_URLS[kind];
    if (!fallback) throw invalid('url', 'a connection needs the registry URL, such as https://registry.example.com');
    return fallback;
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `https://${text}`;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw invalid('url', `${JSON.stringify(url)} is not a URL; enter one such as https://registry.example.com or ghcr.io`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalid('url', `a registry URL starts with https:// or http:// (got ${parsed.protocol}//)`);
  }
  if (parsed.username || parsed.password) {
    throw invalid('url', 'put the user name and password in their own fields, not in the URL');
  }
  if (parsed.search || parsed.hash) throw invalid('url', 'a registry URL has no query (?...) or fragment (#...)');
  if (DOCKER_HUB_ALIASES.has(parsed.hostname)) return DOCKER_HUB_URL;
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/v2$/, '').replace(/\/+$/, '');
  return `${parsed.protocol}//${parsed.host}${path}`;
}

/** An optional user name: trimmed; empty means none. */
export function checkUsername(username: unknown): string | null {
  if (username === undefined || username === null) return null;
  if (typeof username !== 'string') throw invalid('username', 'the user name must be a string');
  return username.trim() === '' ? null : username.trim();
}

/** A password change: a string sets it, null removes it, undefined keeps it; empty is refused. */
export function checkPassword(password: unknown): string | null | undefined {
  if (password === undefined || password === null) return password;
  if (typeof password !== 'string') throw invalid('password', 'the password must be a string');
  if (password === '') throw invalid('password', 'the password is empty: send null to remove it, or leave it out to keep it');
  return password;
}

/**
 * Trust settings: `system` (default), `ca` with a PEM of one or more certificates, or `pin` with a
 * SHA-256 fingerprint (any case, colons optional; stored as `AB:CD:...`). Fields of other modes are
 * dropped; `ca` and `pin` need an https URL.
 */
export function normalizeTrust(trust: unknown, url: string): ConnectionTrust {
  if (trust === undefined || trust === null) return { mode: 'system' };
  if (typeof trust !== 'object' || Array.isArray(trust)) throw invalid('trust', 'trust must be an object with a mode');
  const t = trust as Record<string, unknown>;
  if (t.mode === 'system') return { mode: 'system' };
  if (t.mode !== 'ca' && t.mode !== 'pin') throw invalid('trust', `trust mode must be system, ca or pin (got ${JSON.stringify(t.mode)})`);
  if (!url.startsWith('https://')) throw invalid('trust', `a ${t.mode === 'ca' ? 'CA' : 'pinned certificate'} applies to https:// URLs only`);
  if (t.mode === 'ca') return { mode: 'ca', caPem: checkCaPem(t.caPem) };
  return { mode: 'pin', pinSha256: normalizePin(t.pinSha256) };
}

/** A PEM holding one or more X.509 certificates, returned trimmed. */
export function checkCaPem(pem: unknown): string {
  if (typeof pem !== 'string' || pem.trim() === '') throw invalid('trust.caPem', 'trust mode ca needs the CA certificate (PEM)');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks) throw invalid('trust.caPem', 'the CA is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)');
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      throw invalid('trust.caPem', `certificate ${i + 1} of the CA PEM cannot be read as an X.509 certificate`);
    }
  }
  return blocks.join('\n') + '\n';
}

/** A SHA-256 fingerprint as `AB:CD:...` (32 pairs) from any case, with or without colons. */
export function normalizePin(pin: unknown): string {
  if (typeof pin !== 'string') throw invalid('trust.pinSha256', 'trust mode pin needs the certificate\'s SHA-256 fingerprint');
  const hex = pin.trim().replace(/^sha256[:/]/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw invalid('trust.pinSha256', 'the fingerprint must be a SHA-256: 64 hex digits, with or without colons (AB:CD:...)');
  }
  return hex.match(/../g)!.join(':');
}

/** Repository names or namespaces: each a valid name, duplicates dropped, order kept. */
export function checkNames(list: unknown, field: 'repositories' | 'namespaces'): string[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalid(field, `${field} must be a list of names`);
  const out: string[] = [];
  for (const item of list) {
    const name = typeof item === 'string' ? item.trim() : item;
    if (typeof name !== 'string' || !isValidName(name)) {
      throw invalid(field, `${JSON.stringify(item)} is not a valid ${field === 'repositories' ? 'repository name' : 'namespace'} (lower case, digits, . _ - and /)`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
