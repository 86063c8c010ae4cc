import { DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE, type S3Options } from '../storage/s3-options';
import { bool, type ConfigTree, nodeAt, str, yamlBool } from './tree';
import { ConfigError } from './types';

/** registry:2's `storage.s3` keys that Berth reads with the same meaning. */
export const S3_KEYS = [
  'bucket',
  'region',
  'regionendpoint',
  'accesskey',
  'secretkey',
  'rootdirectory',
  'forcepathstyle',
  'chunksize',
  'secure',
].map((k) => `storage.s3.${k}`);

/**
 * registry:2's other `storage.s3` keys, each with the value that matches what Berth does (no
 * warning then) and what Berth does instead. Anything else is warned about as an unknown key.
 */
const KNOWN_UNSUPPORTED: Record<string, { same?: (v: string) => boolean; instead: string }> = {
  encrypt: { same: (v) => parseBool(v) === false, instead: 'objects are stored without server-side encryption' },
  keyid: { instead: 'objects are stored without KMS encryption' },
  v4auth: { same: (v) => parseBool(v) === true, instead: 'requests are signed with AWS Signature Version 4' },
  storageclass: { same: (v) => /^(?:standard|none)$/i.test(v), instead: "objects get the bucket's default storage class" },
  objectacl: { same: (v) => v === 'private', instead: "objects get the bucket's default ACL" },
  skipverify: { same: (v) => parseBool(v) === false, instead: 'TLS certificates are verified' },
  useragent: { instead: "the AWS SDK's user agent is sent" },
  multipartcopychunksize: { instead: 'copies use the SDK defaults' },
  multipartcopymaxconcurrency: { instead: 'copies use the SDK defaults' },
  multipartcopythresholdsize: { instead: 'copies use the SDK defaults' },
  usedualstack: { same: (v) => parseBool(v) === false, instead: 'IPv4 endpoints are used' },
  accelerate: { same: (v) => parseBool(v) === false, instead: 'transfer acceleration is not used' },
  usefipsendpoint: { same: (v) => parseBool(v) === false, instead: 'standard endpoints are used' },
  loglevel: { instead: 'S3 requests are not logged' },
};

/** Full paths of the keys above, handled here rather than by the generic unknown-key warning. */
export const S3_KNOWN_UNSUPPORTED_KEYS = Object.keys(KNOWN_UNSUPPORTED).map((k) => `storage.s3.${k}`);

/** S3's largest part size; registry:2 refuses a larger `chunksize`. */
const MAX_CHUNK_SIZE = 5 * 1024 ** 3;

/**
 * A boolean as registry:2's S3 driver accepts it: a YAML 1.1 boolean, or a string Go's
 * strconv.ParseBool reads (`1`, `t`, `F`, ...); undefined for anything else.
 */
function parseBool(v: string): boolean | undefined {
  if (/^(?:1|t|T)$/.test(v)) return true;
  if (/^(?:0|f|F)$/.test(v)) return false;
  return yamlBool(v);
}

function s3Bool(tree: ConfigTree, key: string): boolean | undefined {
  const path = `storage.s3.${key}`;
  const v = str(tree, path);
  if (v === undefined) return undefined;
  const b = parseBool(v);
  if (b === undefined) throw new ConfigError(`${path}: expected true or false, got "${v}"`);
  return b;
}

function chunkSize(tree: ConfigTree): number | undefined {
  const v = str(tree, 'storage.s3.chunksize');
  if (v === undefined) return undefined;
  if (!/^\+?\d+$/.test(v)) throw new ConfigError(`storage.s3.chunksize: expected a whole number of bytes, got "${v}"`);
  const n = Number(v);
  if (n < MIN_CHUNK_SIZE || n > MAX_CHUNK_SIZE) {
    throw new ConfigError(`storage.s3.chunksize: ${v} is out of range (${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE} bytes; default ${DEFAULT_CHUNK_SIZE})`);
  }
  return n;
}

function regionEndpoint(tree: ConfigTree): string | undefined {
  const v = str(tree, 'storage.s3.regionendpoint');
  if (v === undefined) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    throw new ConfigError(`storage.s3.regionendpoint: "${v}" must start with https://, http:// or be a host[:port]`);
  }
  let url: URL;
  try {
    url = new URL(scheme ? v : `https://${v}`);
  } catch {
    throw new ConfigError(`storage.s3.regionendpoint: "${v}" is not a URL (e.g. http://127.0.0.1:7480)`);
  }
  // Credentials belong in accesskey and secretkey; a query would be signed into every request.
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError('storage.s3.regionendpoint: give only the scheme, host and port (credentials go in accesskey and secretkey)');
  }
  return v.replace(/\/+$/, '');
}

/**
 * `storage.s3` with registry:2's meaning, or undefined when the section is absent. Known registry:2
 * keys Berth does not act on are accepted with a warning when they ask for something Berth does not
 * do. Messages never repeat the secret key.
 *
 * Differences from registry:2, by design: region defaults to `us-east-1` with a `regionendpoint`
 * (any value works there) and is otherwise only required, not checked against AWS's list;
 * `forcepathstyle` defaults to true with a `regionendpoint` (registry:2 2.8 always used path style
 * there, which RGW and MinIO need) and to false without; access and secret key go together.
 */
export function s3Config(tree: ConfigTree, warnings: string[]): S3Options | undefined {
  const section = nodeAt(tree, 'storage.s3');
  if (section === undefined) return undefined;
  // An empty `s3:` is an s3 section without settings (the bucket check names what is missing).
  if (Array.isArray(section) || (typeof section === 'string' && !/^(?:~|null|Null|NULL)?$/.test(section))) throw new ConfigError('storage.s3: expected a mapping of settings (bucket, region, ...)');
  const bucket = str(tree, 'storage.s3.bucket');
  if (!bucket) throw new ConfigError('storage.s3.bucket must be set (the bucket to store in)');
  const endpoint = regionEndpoint(tree);
  const region = str(tree, 'storage.s3.region') ?? (endpoint ? 'us-east-1' : undefined);
  if (!region) throw new ConfigError('storage.s3.region must be set (e.g. us-east-1), or storage.s3.regionendpoint for a store other than AWS');
  const accessKey = str(tree, 'storage.s3.accesskey');
  const secretKey = str(tree, 'storage.s3.secretkey');
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw new ConfigError('storage.s3.accesskey and storage.s3.secretkey must be set together (or neither, for the AWS default credentials)');
  }
  const root = str(tree, 'storage.s3.rootdirectory')?.replace(/^\/+|\/+$/g, '');
  const forcePathStyle = s3Bool(tree, 'forcepathstyle') ?? endpoint !== undefined;
  const secure = s3Bool(tree, 'secure');
  const chunk = chunkSize(tree);

  for (const [key, rule] of Object.entries(KNOWN_UNSUPPORTED)) {
    const v = str(tree, `storage.s3.${key}`);
    if (v !== undefined && !rule.same?.(v)) warnings.push(`config key storage.s3.${key} is not supported by Berth and is ignored: ${rule.instead}`);
  }
  return {
    bucket,
    region,
    ...(endpoint !== undefined ? { regionEndpoint: endpoint } : {}),
    ...(accessKey !== undefined ? { accessKey, secretKey: secretKey! } : {}),
    ...(root ? { rootDirectory: root } : {}),
    forcePathStyle,
    ...(chunk !== undefined ? { chunkSize: chunk } : {}),
    ...(secure !== undefined ? { secure } : {}),
  };
}

/**
 * `storage.redirect.disable` read as Berth's switch for redirecting blob GETs to presigned URLs:
 * true only when the key says `false`. registry:2 redirects unless disabled; Berth serves blobs
 * itself unless asked. Undefined when the key is absent.
 */
export function redirectConfig(tree: ConfigTree, s3: S3Options | undefined, warnings: string[]): boolean | undefined {
  const disable = bool(tree, 'storage.redirect.disable');
  if (disable === undefined) return undefined;
  if (!disable && !s3) warnings.push('storage.redirect applies to storage.s3 only; blobs on the filesystem are served by Berth');
  return !disable;
}
