/**
 * The connection form's model: what the user typed, the draft `connections:add` and `connections:test`
 * take, and the changed fields `connections:update` takes. Pure functions, tested beside the screen.
 */
import type { ConnectionDraft, ConnectionInfo, ConnectionTrust, TrustMode } from '../../../../src-server/contract';

/** A kind of remote connection. */
export type RemoteKind = ConnectionDraft['kind'];

/** The kinds, with their labels and the URL a preset fills in. */
export const KINDS: ReadonlyArray<{ value: RemoteKind; label: string; url: string | null }> = [
  { value: 'registry', label: 'Registry (v2)', url: null },
  { value: 'dockerhub', label: 'Docker Hub', url: 'docker.io' },
  { value: 'ghcr', label: 'GHCR', url: 'ghcr.io' },
  { value: 'harbor', label: 'Harbor', url: null },
  { value: 'quay', label: 'Quay', url: 'quay.io' },
];

/** A kind's label (the local registry included). */
export function kindLabel(kind: ConnectionInfo['kind']): string {
  return kind === 'local' ? 'This computer' : (KINDS.find((k) => k.value === kind)?.label ?? kind);
}

/** The trust modes, with their labels. */
export const TRUST_MODES: ReadonlyArray<{ value: TrustMode; label: string }> = [
  { value: 'system', label: 'System trust store' },
  { value: 'ca', label: 'A CA I give' },
  { value: 'pin', label: 'Pinned certificate' },
];

/** A trust mode in words, for the list. */
export function trustLabel(trust: ConnectionTrust): string {
  return TRUST_MODES.find((t) => t.value === trust.mode)?.label ?? trust.mode;
}

/** What the form holds. */
export interface ConnectionForm {
  name: string;
  kind: RemoteKind;
  url: string;
  username: string;
  /** Blank on edit keeps the stored password. */
  password: string;
  /** On edit: remove the stored password (sends null). */
  removePassword: boolean;
  trustMode: TrustMode;
  caPem: string;
  pinSha256: string;
  /** Comma or space separated. */
  namespaces: string;
  repositories: string;
}

/** An empty form for a new connection. */
export function emptyForm(): ConnectionForm {
  return { name: '', kind: 'registry', url: '', username: '', password: '', removePassword: false, trustMode: 'system', caPem: '', pinSha256: '', namespaces: '', repositories: '' };
}

/** The form of a saved connection (its password is never known: blank keeps it). */
export function formOf(conn: ConnectionInfo): ConnectionForm {
  return {
    name: conn.name,
    kind: conn.kind === 'local' ? 'registry' : conn.kind,
    url: conn.url ?? '',
    username: conn.username ?? '',
    password: '',
    removePassword: false,
    trustMode: conn.trust.mode,
    caPem: conn.trust.caPem ?? '',
    pinSha256: conn.trust.pinSha256 ?? '',
    namespaces: conn.namespaces.join(', '),
    repositories: conn.repositories.join(', '),
  };
}

/** The form after choosing a kind: a preset's URL replaces an empty URL or another preset's. */
export function withKind(form: ConnectionForm, kind: RemoteKind): ConnectionForm {
  const presets = KINDS.map((k) => k.url).filter((u): u is string => u !== null);
  const url = form.url.trim();
  const isPreset = url === '' || presets.includes(url);
  const preset = KINDS.find((k) => k.value === kind)?.url ?? null;
  return { ...form, kind, url: isPreset ? (preset ?? '') : form.url };
}

/** Names typed with commas, spaces or line breaks between them. */
export function splitNames(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

/** The trust settings the form says. */
export function trustOf(form: ConnectionForm): ConnectionTrust {
  if (form.trustMode === 'ca') return { mode: 'ca', caPem: form.caPem.trim() };
  if (form.trustMode === 'pin') return { mode: 'pin', pinSha256: form.pinSha256.trim() };
  return { mode: 'system' };
}

/** The draft of the whole form (to add or to test); a blank password is left out. */
export function draftOf(form: ConnectionForm): ConnectionDraft {
  const draft: ConnectionDraft = {
    name: form.name.trim(),
    kind: form.kind,
    url: form.url.trim(),
    username: form.username.trim() === '' ? null : form.username.trim(),
    trust: trustOf(form),
    repositories: splitNames(form.repositories),
    namespaces: form.kind === 'dockerhub' ? splitNames(form.namespaces) : [],
  };
  if (form.password !== '') draft.password = form.password;
  return draft;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function sameTrust(a: ConnectionTrust, b: ConnectionTrust): boolean {
  return a.mode === b.mode && (a.caPem ?? '') === (b.caPem ?? '') && (a.pinSha256 ?? '').toUpperCase() === (b.pinSha256 ?? '').toUpperCase();
}

/** The fields of the form that differ from the saved connection (password: typed sets, removal sends null). */
export function changesOf(form: ConnectionForm, saved: ConnectionInfo): Partial<ConnectionDraft> {
  const next = draftOf(form);
  const out: Partial<ConnectionDraft> = {};
  if (next.name !== saved.name) out.name = next.name;
  if (next.kind !== saved.kind) out.kind = next.kind;
  if (next.url !== (saved.url ?? '')) out.url = next.url;
  if ((next.username ?? null) !== saved.username) out.username = next.username ?? null;
  if (form.password !== '') out.password = form.password;
  else if (form.removePassword && saved.hasSecret) out.password = null;
  if (!sameTrust(next.trust!, saved.trust)) out.trust = next.trust!;
  if (!sameList(next.repositories!, saved.repositories)) out.repositories = next.repositories!;
  if (!sameList(next.namespaces!, saved.namespaces)) out.namespaces = next.namespaces!;
  return out;
}

/** Docker Hub's names, which the server turns into its API host (as src-server/connections/validate does). */
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'hub.docker.com', 'registry.hub.docker.com', 'www.docker.com']);

/**
 * The origin (scheme, host, port) a password typed with this URL is bound to, as the server will
 * see it: `https://` when no scheme is given, a kind's preset when empty. Null when it does not parse
 * (the server then says what is wrong with it).
 */
export function originOfTyped(url: string, kind: RemoteKind): string | null {
  let text = url.trim() || (KINDS.find((k) => k.value === kind)?.url ?? '');
  if (text === '') return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `https://${text}`;
  try {
    const parsed = new URL(text);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
    return DOCKER_HUB_ALIASES.has(parsed.hostname) ? 'https://registry-1.docker.io' : parsed.origin;
  } catch {
    return null;
  }
}

/**
 * When saving the form would move a connection's stored password to another origin: the origin it
 * was saved for and the new one. The server then drops it (it never sends a password to an origin
 * it was not typed for), so the form asks for it again.
 */
export function movedOrigin(form: ConnectionForm, saved: ConnectionInfo): { from: string; to: string } | null {
  if (!saved.hasSecret || saved.url === null) return null;
  const from = originOfTyped(saved.url, form.kind);
  const to = originOfTyped(form.url, form.kind);
  return from !== null && to !== null && from !== to ? { from, to } : null;
}
