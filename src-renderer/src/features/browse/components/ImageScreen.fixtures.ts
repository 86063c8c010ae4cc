/** Test data of the image screen's tests. */
import type { ConnectionInfo, ImageDetails, PlatformDetails, ReferrerContent } from '../../../../../src-server/contract';

const hex = (c: string) => c.repeat(64);

function platform(name: string, c: string, over: Partial<PlatformDetails> = {}): PlatformDetails {
  const [os, architecture, variant] = name.split('/');
  return {
    platform: name,
    digest: `sha256:${hex(c)}`,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    manifestSize: 500,
    size: 3_000_000,
    sharedBytes: 1_000_000,
    uniqueBytes: 2_000_000,
    configDigest: `sha256:${hex('c')}`,
    config: {
      created: '2026-01-02T03:04:05Z',
      author: 'Berth tests',
      os: os ?? null,
      architecture: architecture ?? null,
      variant: variant ?? null,
      entrypoint: ['/bin/app'],
      cmd: ['--serve'],
      env: ['PATH=/usr/bin', `ARCH_NAME=${name}`],
      workingDir: '/srv',
      user: 'nobody',
      labels: { 'org.opencontainers.image.source': 'https://example.com/app' },
      exposedPorts: ['8080/tcp'],
      volumes: ['/data'],
    },
    layers: [
      { digest: `sha256:${hex('1')}`, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 1_000_000, shared: true },
      { digest: `sha256:${hex(c === 'a' ? '2' : '3')}`, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 2_000_000, shared: false },
    ],
    history: [
      { created: '2026-01-02T03:04:05Z', createdBy: `/bin/sh -c #(nop) ADD file:${name} in /`, comment: null, emptyLayer: false, size: 1_000_000 },
      { created: '2026-01-02T03:04:05Z', createdBy: 'CMD ["--serve"]', comment: null, emptyLayer: true, size: null },
    ],
    artifactType: null,
    ...over,
  };
}

/** A two-platform index `team/app:1.0` on the local registry. */
export function multiArchImage(over: Partial<ImageDetails> = {}): ImageDetails {
  return {
    connection: 'local',
    repository: 'team/app',
    reference: '1.0',
    digest: `sha256:${hex('d')}`,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifestSize: 700,
    isIndex: true,
    tags: ['1.0', 'latest'],
    platforms: [platform('linux/amd64', 'a'), platform('linux/arm64/v8', 'b', { size: 4_000_000, uniqueBytes: 3_000_000 })],
    totalBytes: 6_001_200,
    sharedBytes: 1_000_000,
    referrers: [
      {
        digest: `sha256:${hex('e')}`,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        size: 1234,
        annotations: { 'org.opencontainers.image.created': '2026-01-03T00:00:00Z' },
      },
    ],
    referrersSupported: true,
    annotations: {},
    origin: { source: 'pushed', upstream: null, at: '2026-01-02T03:04:05Z' },
    pullByDigest: `127.0.0.1:5000/team/app@sha256:${hex('d')}`,
    ...over,
  };
}

const base = { username: null, hasSecret: false, trust: { mode: 'system' as const }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };

/** The local registry and one remote. */
export const connections: ConnectionInfo[] = [
  { ...base, id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000' },
  { ...base, id: 'team', name: 'Team registry', kind: 'registry', url: 'https://registry.example.com' },
];

/** A referrer as `browse:referrer` answers: an SPDX SBOM whose package name carries markup. */
export function spdxReferrer(): ReferrerContent {
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/spdx+json',
    subject: { digest: `sha256:${hex('d')}` },
  };
  return {
    digest: `sha256:${hex('e')}`,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/spdx+json',
    size: 1234,
    subject: `sha256:${hex('d')}`,
    annotations: { 'org.opencontainers.image.created': '2026-01-03T00:00:00Z' },
    manifest: JSON.stringify(manifest, null, 2),
    blobs: [
      {
        digest: `sha256:${hex('5')}`,
        mediaType: 'application/spdx+json',
        size: 300,
        annotations: {},
        text: JSON.stringify({ spdxVersion: 'SPDX-2.3', packages: [{ name: '<img src=x onerror=alert(1)>' }] }, null, 2),
        json: true,
        notShown: null,
        summary: { format: 'spdx', spdxVersion: 'SPDX-2.3', name: 'team/app', packages: 3, creators: ['Tool: syft-1.0.0'], created: '2026-01-03T00:00:00Z' },
      },
      { digest: `sha256:${hex('6')}`, mediaType: 'application/octet-stream', size: 5_000_000, annotations: {}, text: null, json: false, notShown: 'too-large', summary: null },
    ],
    limit: 1 << 20,
  };
}
