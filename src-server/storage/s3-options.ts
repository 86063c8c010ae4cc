/**
 * Options of the S3 storage driver, with registry:2's meaning (`storage.s3` in its config.yml and
 * the `REGISTRY_STORAGE_S3_*` variables): the same bucket and keys serve Berth and registry:2.
 */
export interface S3Options {
  bucket: string;
  /** AWS region (any value for Ceph RGW or MinIO, e.g. `us-east-1`). */
  region: string;
  /** The endpoint of an S3-compatible store (`regionendpoint`), e.g. `http://127.0.0.1:7480`. */
  regionEndpoint?: string;
  /** Credentials (`accesskey`, `secretkey`); without them the SDK's default chain is used. */
  accessKey?: string;
  secretKey?: string;
  /** Key prefix under which `docker/registry/v2/...` lives (`rootdirectory`), without slashes at the ends. */
  rootDirectory?: string;
  /** Path-style addressing (`forcepathstyle`): needed by RGW and MinIO without wildcard DNS. */
  forcePathStyle?: boolean;
  /** Multipart part size in bytes (`chunksize`, at least 5 MiB; registry:2's default 10 MiB). */
  chunkSize?: number;
  /** HTTPS to the endpoint (`secure`, default true); false uses http:// when the endpoint has no scheme. */
  secure?: boolean;
}

/** Where content in the bucket lives, for people: `s3://bucket/root at endpoint` (never the credentials). */
export function describeS3(opts: S3Options): string {
  return `s3://${opts.bucket}/${opts.rootDirectory ?? ''}${opts.regionEndpoint ? ` at ${opts.regionEndpoint}` : ''}`;
}

/** S3's smallest part size (every part but the last). */
export const MIN_CHUNK_SIZE = 5 * 1024 * 1024;
/** registry:2's default `chunksize`. */
export const DEFAULT_CHUNK_SIZE = 10 * 1024 * 1024;
