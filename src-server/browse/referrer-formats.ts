/**
 * Summaries of the formats referrers carry most: SPDX and CycloneDX SBOMs, cosign's simple signing
 * payload, and in-toto statements (bare, in a DSSE envelope, or in a Sigstore bundle). The input
 * is untrusted JSON: every field is checked, strings are cut and lists shortened, and nothing is
 * ever evaluated.
 */
import type { ReferrerFormatSummary } from '../contract';

/** Longest string kept in a summary. */
const MAX_STRING = 300;
/** Entries of a list kept in a summary. */
const MAX_LIST = 50;
/** Largest base64 DSSE payload decoded. */
const MAX_PAYLOAD = 4 << 20;

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? cut(v) : null);
const cut = (s: string) => (s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…` : s);
const count = (v: unknown): number => (Array.isArray(v) ? v.length : 0);

/** The summary of a parsed JSON document, when it is a known format; `annotations` are its descriptor's. */
export function summarize(doc: unknown, annotations: Record<string, string> = {}): ReferrerFormatSummary | null {
  const o = obj(doc);
  if (!o) return null;
  if (typeof o.spdxVersion === 'string' && o.spdxVersion.startsWith('SPDX-')) return spdx(o);
  if (o.bomFormat === 'CycloneDX') return cyclonedx(o);
  const critical = obj(o.critical);
  if (critical && (obj(critical.identity) || obj(critical.image))) return cosign(critical, o, annotations);
  if (isStatement(o)) return statement(o, false, 0);
  const envelope = obj(o.dsseEnvelope) ?? o; // a Sigstore bundle holds the envelope
  if (typeof envelope.payloadType === 'string' && typeof envelope.payload === 'string') return fromEnvelope(envelope);
  return null;
}

function spdx(o: Json): ReferrerFormatSummary {
  const info = obj(o.creationInfo);
  const creators = Array.isArray(info?.creators) ? info.creators.filter((c): c is string => typeof c === 'string').slice(0, MAX_LIST).map(cut) : [];
  return { format: 'spdx', spdxVersion: str(o.spdxVersion), name: str(o.name), packages: count(o.packages), creators, created: str(info?.created) };
}

function cyclonedx(o: Json): ReferrerFormatSummary {
  const component = obj(obj(o.metadata)?.component);
  return {
    format: 'cyclonedx',
    bomFormat: 'CycloneDX',
    specVersion: str(o.specVersion),
    components: count(o.components),
    serialNumber: str(o.serialNumber),
    describes: str(component?.name),
  };
}

function cosign(critical: Json, o: Json, annotations: Record<string, string>): ReferrerFormatSummary {
  const optional: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(o.optional) ?? {}).slice(0, MAX_LIST)) {
    const text = typeof v === 'string' ? v : safeJson(v);
    if (text !== null) optional[cut(k)] = cut(text);
  }
  return {
    format: 'cosign-signature',
    type: str(critical.type),
    dockerReference: str(obj(critical.identity)?.['docker-reference']),
    manifestDigest: str(obj(critical.image)?.['docker-manifest-digest']),
    optional,
    signed: typeof annotations['dev.cosignproject.cosign/signature'] === 'string' && annotations['dev.cosignproject.cosign/signature'] !== '',
  };
}

function isStatement(o: Json): boolean {
  return typeof o._type === 'string' && o._type.startsWith('https://in-toto.io/Statement');
}

function statement(o: Json, envelope: boolean, signatures: number): ReferrerFormatSummary {
  const all = Array.isArray(o.subject) ? o.subject : [];
  const subjects = all.slice(0, MAX_LIST).flatMap((s) => {
    const subject = obj(s);
    if (!subject) return [];
    const digest: Record<string, string> = {};
    for (const [alg, value] of Object.entries(obj(subject.digest) ?? {}).slice(0, 8)) if (typeof value === 'string') digest[cut(alg)] = cut(value);
    return [{ name: str(subject.name) ?? '', digest }];
  });
  return { format: 'in-toto', statementType: str(o._type), predicateType: str(o.predicateType), subjects, subjectCount: all.length, envelope, signatures };
}

function fromEnvelope(envelope: Json): ReferrerFormatSummary | null {
  const payload = envelope.payload as string;
  if (payload.length > MAX_PAYLOAD || !/^[A-Za-z0-9+/=_-]*$/.test(payload)) return null;
  let inner: unknown;
  try {
    inner = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  const o = obj(inner);
  if (!o || !isStatement(o)) return null;
  return statement(o, true, count(envelope.signatures));
}

function safeJson(v: unknown): string | null {
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return null;
  }
}
