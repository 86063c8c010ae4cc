/**
 * Referrers as real tools write them, made by hand (no cosign or syft on this machine): an SPDX SBOM
 * and a CycloneDX SBOM as artifacts, a cosign simple-signing signature with its signature
 * annotation, and an in-toto SLSA provenance in a DSSE envelope. Each is an OCI artifact manifest
 * whose `subject` is the image. They are written through any RegistrySource, or into an OCI image
 * layout for skopeo to push by digest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistrySource } from '../../src-server/browse/source';
import { MT, sha256, type Desc } from '../helpers/oci-content';

/** One blob of an artifact. */
interface Part {
  mediaType: string;
  data: Buffer;
  annotations?: Record<string, string>;
}

/** An artifact before it is written: its type, blobs and annotations. */
export interface ReferrerSpec {
  kind: 'spdx' | 'cyclonedx' | 'cosign' | 'in-toto';
  artifactType: string;
  layers: Part[];
  annotations: Record<string, string>;
}

/** A written referrer. */
export interface WrittenReferrer extends Desc {
  kind: ReferrerSpec['kind'];
  artifactType: string;
  body: Buffer;
  blobs: Desc[];
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const EMPTY = Buffer.from('{}');

/** The four kinds of referrer for an image `name@subject.digest`. */
export function referrerSpecs(name: string, subject: Desc): ReferrerSpec[] {
  const [alg, hex] = subject.digest.split(':') as [string, string];
  const created = { 'org.opencontainers.image.created': '2026-01-03T00:00:00Z' };
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name, digest: { [alg]: hex } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: { buildDefinition: { buildType: 'https://example.com/build@v1' }, runDetails: { builder: { id: 'https://ci.example.com' } } },
  };
  return [
    {
      kind: 'spdx',
      artifactType: 'application/spdx+json',
      layers: [
        {
          mediaType: 'application/spdx+json',
          data: json({
            spdxVersion: 'SPDX-2.3',
            dataLicense: 'CC0-1.0',
            SPDXID: 'SPDXRef-DOCUMENT',
            name,
            creationInfo: { created: '2026-01-03T00:00:00Z', creators: ['Tool: syft-1.0.0', 'Organization: Berth tests'] },
            packages: [
              { SPDXID: 'SPDXRef-busybox', name: 'busybox', versionInfo: '1.36.1' },
              { SPDXID: 'SPDXRef-musl', name: 'musl', versionInfo: '1.2.4' },
              { SPDXID: 'SPDXRef-xss', name: '<img src=x onerror=alert(1)>', versionInfo: '0' },
            ],
          }),
        },
      ],
      annotations: created,
    },
    {
      kind: 'cyclonedx',
      artifactType: 'application/vnd.cyclonedx+json',
      layers: [
        {
          mediaType: 'application/vnd.cyclonedx+json',
          data: json({
            bomFormat: 'CycloneDX',
            specVersion: '1.5',
            serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
            metadata: { component: { type: 'container', name } },
            components: [{ type: 'library', name: 'busybox' }, { type: 'library', name: 'musl' }],
          }),
        },
      ],
      annotations: created,
    },
    {
      kind: 'cosign',
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      layers: [
        {
          mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
          data: json({
            critical: { identity: { 'docker-reference': name }, image: { 'docker-manifest-digest': subject.digest }, type: 'cosign container image signature' },
            optional: { creator: 'berth-tests' },
          }),
          annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQDdY2ZrZW5vdGFyZWFsc2lnbmF0dXJlAiA=' },
        },
      ],
      annotations: created,
    },
    {
      kind: 'in-toto',
      artifactType: 'application/vnd.dsse.envelope.v1+json',
      layers: [
        {
          mediaType: 'application/vnd.dsse.envelope.v1+json',
          data: json({ payloadType: 'application/vnd.in-toto+json', payload: json(statement).toString('base64'), signatures: [{ keyid: '', sig: 'c2ln' }] }),
          annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v1' },
        },
      ],
      annotations: created,
    },
  ];
}

/** The manifest of an artifact and its blobs. */
function build(spec: ReferrerSpec, subject: Desc): { body: Buffer; blobs: Array<Desc & { data: Buffer }> } {
  const config = { mediaType: MT.empty, digest: sha256(EMPTY), size: EMPTY.length, data: EMPTY };
  const layers = spec.layers.map((l) => ({ mediaType: l.mediaType, digest: sha256(l.data), size: l.data.length, data: l.data, ...(l.annotations ? { annotations: l.annotations } : {}) }));
  const strip = ({ data: _data, ...d }: Desc & { data: Buffer }) => d;
  const manifest = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    artifactType: spec.artifactType,
    config: strip(config),
    layers: layers.map(strip),
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: spec.annotations,
  };
  return { body: json(manifest), blobs: [config, ...layers] };
}

/** Writes the referrers of `subject` into `repo` of a RegistrySource, by digest. */
export async function putReferrers(src: RegistrySource, repo: string, name: string, subject: Desc, kinds?: Array<ReferrerSpec['kind']>): Promise<WrittenReferrer[]> {
  const out: WrittenReferrer[] = [];
  for (const spec of referrerSpecs(name, subject).filter((s) => !kinds || kinds.includes(s.kind))) {
    const { body, blobs } = build(spec, subject);
    for (const b of blobs) {
      if ((await src.headBlob(repo, b.digest)) === null) {
        await src.putBlob(repo, b.digest, b.size, (async function* () {
          yield b.data;
        })());
      }
    }
    const digest = sha256(body);
    await src.putManifest(repo, digest, body, MT.ociManifest);
    out.push({ kind: spec.kind, artifactType: spec.artifactType, mediaType: MT.ociManifest, digest, size: body.length, body, blobs: blobs.map(({ data: _d, ...d }) => d) });
  }
  return out;
}

/**
 * Writes the referrers of `subject` into an OCI image layout at `dir`, each under the ref name of
 * its kind, for `skopeo copy --preserve-digests oci:DIR:KIND docker://HOST/REPO@DIGEST`.
 */
export function referrerLayout(dir: string, name: string, subject: Desc): WrittenReferrer[] {
  const blobsDir = join(dir, 'blobs', 'sha256');
  mkdirSync(blobsDir, { recursive: true });
  const out: WrittenReferrer[] = [];
  const index: Array<Record<string, unknown>> = [];
  for (const spec of referrerSpecs(name, subject)) {
    const { body, blobs } = build(spec, subject);
    for (const b of blobs) writeFileSync(join(blobsDir, b.digest.slice('sha256:'.length)), b.data);
    const digest = sha256(body);
    writeFileSync(join(blobsDir, digest.slice('sha256:'.length)), body);
    index.push({ mediaType: MT.ociManifest, digest, size: body.length, annotations: { 'org.opencontainers.image.ref.name': spec.kind } });
    out.push({ kind: spec.kind, artifactType: spec.artifactType, mediaType: MT.ociManifest, digest, size: body.length, body, blobs: blobs.map(({ data: _d, ...d }) => d) });
  }
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: index }));
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  return out;
}
