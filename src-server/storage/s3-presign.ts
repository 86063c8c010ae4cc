/**
 * Presigned GET URLs for objects of the S3 driver: what registry:2's `storage.redirect` hands a
 * client instead of the blob's bytes, so that the client downloads from the bucket itself.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { S3Driver } from './s3-driver';
import type { S3Options } from './s3-options';

/** How long a presigned URL stays valid, in seconds: registry:2's 20 minutes. */
export const PRESIGN_EXPIRY_SECONDS = 20 * 60;

/**
 * A presigned GET URL of the object at a driver path, valid `expiresIn` seconds. It honours a
 * `Range` header. The query holds only SigV4's `X-Amz-*` parameters and the SDK's `x-id`: the
 * driver client's `responseChecksumValidation: 'WHEN_REQUIRED'` (createS3Client) keeps the SDK
 * from signing `x-amz-checksum-mode=ENABLED` into the URL, a parameter older S3-compatible stores
 * need not know and a plain download has no use for.
 */
export function presignedGetUrl(driver: S3Driver, path: string, expiresIn = PRESIGN_EXPIRY_SECONDS): Promise<string> {
  return getSignedUrl(driver.s3, new GetObjectCommand({ Bucket: driver.bucket, Key: driver.key(path) }), { expiresIn });
}

/**
 * The S3 driver with blob GETs redirected to presigned URLs (`storage.redirect.disable: false`).
 * Everything else is the S3 driver unchanged; the plain S3Driver never redirects.
 */
export class RedirectingS3Driver extends S3Driver {
  constructor(
    opts: S3Options,
    private readonly expiresIn = PRESIGN_EXPIRY_SECONDS,
  ) {
    super(opts);
  }

  redirectUrl(path: string): Promise<string> {
    return presignedGetUrl(this, path, this.expiresIn);
  }
}
