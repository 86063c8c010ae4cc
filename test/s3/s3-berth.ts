/**
 * Berth on a test RGW as a user runs it: a config file with `storage.s3` (and optionally `proxy`),
 * the bucket's keys listed with the AWS SDK, and registry answers reduced to what a client sees
 * (status and first error code), so that a Berth on S3 and one on the filesystem can be compared.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { S3Options } from '../../src-server/storage/s3-options';
import { startRgw, type RunningRgw } from '../helpers/rgw';

/** registry:2's key prefix under a root directory. */
export const V2 = 'docker/registry/v2';

/** The `  s3:` block of a `storage:` section (registry:2's keys, as Berth reads them too) for `bucket`/`root` on the test RGW. */
export function s3StorageYaml(rgw: RunningRgw, bucket: string, root: string): string[] {
  return [
    '  s3:',
    `    region: ${rgw.region}`,
    `    regionendpoint: ${rgw.endpoint}`,
    `    bucket: ${bucket}`,
    `    accesskey: ${rgw.accessKey}`,
    `    secretkey: ${rgw.secretKey}`,
    `    rootdirectory: /${root}`,
    '    secure: false',
  ];
}

/** Writes a Berth config file with `storage.s3` on `bucket`/`root` (plus extra top-level YAML). */
export function writeS3Config(file: string, rgw: RunningRgw, bucket: string, root: string, extraYaml = ''): string {
  const lines = ['version: 0.1', 'storage:', '  delete:', '    enabled: true', ...s3StorageYaml(rgw, bucket, root), ''];
  writeFileSync(file, lines.join('\n') + extraYaml);
  return file;
}

/** An S3 client on the test RGW, and every key below a prefix of a bucket. */
export function bucketLister(rgw: RunningRgw, bucket: string): { keys(prefix: string): Promise<string[]>; destroy(): void } {
  const s3 = new S3Client({
    endpoint: rgw.endpoint,
    region: rgw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKey, secretAccessKey: rgw.secretKey },
  });
  return {
    async keys(prefix) {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) out.push(o.Key!);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out.sort();
    },
    destroy: () => s3.destroy(),
  };
}

/** The key of a blob's data under a root directory. */
export function blobKey(root: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return `${root}/${V2}/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`;
}

/** Media types a client accepts for a manifest GET. */
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** What a client sees of a registry answer: the status and, for an error, the first code; the digest of a manifest. */
export interface Seen {
  status: number;
  code?: string;
  digest?: string;
}

/** A GET (or other method) against a registry, reduced to {@link Seen}. */
export async function seen(base: string, path: string, method = 'GET'): Promise<Seen> {
  const res = await fetch(`${base}${path}`, { method, headers: { Accept: ACCEPT } });
  const text = await res.text();
  const out: Seen = { status: res.status };
  if (res.status >= 400 && text) out.code = (JSON.parse(text) as { errors: Array<{ code: string }> }).errors[0]!.code;
  const digest = res.headers.get('docker-content-digest');
  if (res.status < 300 && digest && path.includes('/manifests/')) out.digest = digest;
  return out;
}

/** The repositories a registry's catalog lists. */
export async function catalogOf(base: string): Promise<string[]> {
  return ((await (await fetch(`${base}/v2/_catalog`)).json()) as { repositories: string[] }).repositories;
}

/** A test file's RGW with one bucket (see {@link rgwFixture}). */
export interface RgwFixture {
  /** The running cluster (valid once the file's tests run). */
  readonly rgw: RunningRgw;
  /** The file's temp folder (the cluster's files live in it too). */
  readonly dir: string;
  /** S3 options for a driver on the bucket (path style, the cluster's keys), with `extra` on top. */
  options(extra?: Partial<S3Options>): S3Options;
}

/**
 * Starts an RGW with `bucket` before a file's tests, in a temp folder, and stops it (removing the
 * folder) after them. Call it before the file's own hooks: after-hooks run in reverse order, so the
 * servers a file starts on the bucket stop before the cluster does.
 */
export function rgwFixture(prefix: string, bucket: string): RgwFixture {
  let tmp: { dir: string; cleanup(): void } | undefined;
  let rgw: RunningRgw | undefined;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    tmp = { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    rgw = await startRgw(dir);
    await rgw.createBucket(bucket);
  }, 180_000);
  afterAll(async () => {
    await rgw?.stop();
    tmp?.cleanup();
  });
  return {
    get rgw() {
      return rgw!;
    },
    get dir() {
      return tmp!.dir;
    },
    options: (extra = {}) => ({
      bucket,
      region: rgw!.region,
      regionEndpoint: rgw!.endpoint,
      accessKey: rgw!.accessKey,
      secretKey: rgw!.secretKey,
      forcePathStyle: true,
      ...extra,
    }),
  };
}
