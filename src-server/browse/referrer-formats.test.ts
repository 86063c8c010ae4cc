import { describe, expect, it } from 'vitest';
import { summarize } from './referrer-formats';

const statement = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'registry.example/team/app', digest: { sha256: 'a'.repeat(64) } }],
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: { buildDefinition: {} },
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');

describe('summarize', () => {
  it('SPDX: version, name, package count, creators', () => {
    const doc = {
      spdxVersion: 'SPDX-2.3',
      name: 'team/app',
      creationInfo: { created: '2026-01-02T03:04:05Z', creators: ['Tool: syft-1.0.0', 'Organization: Example', 7] },
      packages: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
    };
    expect(summarize(doc)).toEqual({ format: 'spdx', spdxVersion: 'SPDX-2.3', name: 'team/app', packages: 3, creators: ['Tool: syft-1.0.0', 'Organization: Example'], created: '2026-01-02T03:04:05Z' });
  });

  it('CycloneDX: spec version, component count, what it describes', () => {
    const doc = { bomFormat: 'CycloneDX', specVersion: '1.5', serialNumber: 'urn:uuid:1', metadata: { component: { name: 'app' } }, components: [{}, {}] };
    expect(summarize(doc)).toEqual({ format: 'cyclonedx', bomFormat: 'CycloneDX', specVersion: '1.5', components: 2, serialNumber: 'urn:uuid:1', describes: 'app' });
  });

  it('cosign simple signing: the reference and digest signed, optional claims as text, whether it is signed', () => {
    const doc = {
      critical: { identity: { 'docker-reference': 'registry.example/team/app' }, image: { 'docker-manifest-digest': `sha256:${'a'.repeat(64)}` }, type: 'cosign container image signature' },
      optional: { creator: 'ci', run: 42, nested: { x: 1 } },
    };
    expect(summarize(doc, { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' })).toEqual({
      format: 'cosign-signature',
      type: 'cosign container image signature',
      dockerReference: 'registry.example/team/app',
      manifestDigest: `sha256:${'a'.repeat(64)}`,
      optional: { creator: 'ci', run: '42', nested: '{"x":1}' },
      signed: true,
    });
    expect(summarize(doc)).toMatchObject({ signed: false });
  });

  it('in-toto: a bare statement, one in a DSSE envelope, one in a Sigstore bundle', () => {
    const subjects = [{ name: 'registry.example/team/app', digest: { sha256: 'a'.repeat(64) } }];
    expect(summarize(statement)).toEqual({
      format: 'in-toto',
      statementType: 'https://in-toto.io/Statement/v1',
      predicateType: 'https://slsa.dev/provenance/v1',
      subjects,
      subjectCount: 1,
      envelope: false,
      signatures: 0,
    });
    const envelope = { payloadType: 'application/vnd.in-toto+json', payload: b64(statement), signatures: [{ sig: 'x' }, { sig: 'y' }] };
    expect(summarize(envelope)).toMatchObject({ format: 'in-toto', envelope: true, signatures: 2, subjects });
    expect(summarize({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', dsseEnvelope: envelope })).toMatchObject({ format: 'in-toto', envelope: true });
  });

  it('hostile or unknown input: no summary, cut strings, short lists, never a throw', () => {
    expect(summarize(null)).toBeNull();
    expect(summarize([1, 2])).toBeNull();
    expect(summarize({ hello: 'world' })).toBeNull();
    expect(summarize({ payloadType: 'x', payload: '!!not base64!!' })).toBeNull();
    expect(summarize({ payloadType: 'x', payload: b64({ not: 'a statement' }) })).toBeNull();
    const long = 'x'.repeat(10_000);
    const many = Array.from({ length: 500 }, (_, i) => ({ name: `s${i}`, digest: { sha256: long } }));
    const s = summarize({ ...statement, predicateType: long, subject: many });
    expect(s).toMatchObject({ format: 'in-toto', subjectCount: 500 });
    if (s?.format !== 'in-toto') throw new Error('not in-toto');
    expect(s.subjects).toHaveLength(50);
    expect(s.predicateType!.length).toBeLessThanOrEqual(301);
    expect(s.subjects[0]!.digest.sha256!.length).toBeLessThanOrEqual(301);
    expect(summarize({ spdxVersion: 'SPDX-2.3', name: '<script>alert(1)</script>', packages: 'many' })).toMatchObject({ name: '<script>alert(1)</script>', packages: 0 });
  });
});
