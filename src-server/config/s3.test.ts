import { describe, expect, it } from 'vitest';
import { configErrorOf as errorOf, resolveForTest as resolve } from '../../test/helpers/config';
import type { ResolveInput } from './resolve';

/** registry:2's config.yml for the RGW of ../shared/TESTING-NOTES.md, as registry:2 2.8.2 served it. */
const RGW_CONFIG = `
version: 0.1
storage:
  s3:
    bucket: registry
    region: us-east-1
    regionendpoint: http://127.0.0.1:7480
    accesskey: AKIAEXAMPLE
    secretkey: s3cret/KEY+x
    rootdirectory: /berth/
    secure: false
    chunksize: 5242880
  delete:
    enabled: true
  redirect:
    disable: true
`;

describe('storage.s3', () => {
  it("reads registry:2's S3 settings from the file; the data directory keeps Berth's own files", () => {
    const { config, warnings } = resolve({ fileText: RGW_CONFIG, flags: { data: '/var/lib/berth' } });
    expect(warnings).toEqual([]);
    expect(config.s3).toEqual({
      bucket: 'registry',
      region: 'us-east-1',
      regionEndpoint: 'http://127.0.0.1:7480',
      accessKey: 'AKIAEXAMPLE',
      secretKey: 's3cret/KEY+x',
      rootDirectory: 'berth',
      forcePathStyle: true,
      chunkSize: 5 * 1024 * 1024,
      secure: false,
    });
    expect(config.redirect).toBe(false);
    expect(config.dataDir).toBe('/var/lib/berth');
    expect(config.auth.htpasswdPath).toBe('/var/lib/berth/berth/htpasswd');
    expect(resolve({ fileText: RGW_CONFIG, env: { BERTH_DATA: '/env-data' } }).config.dataDir).toBe('/env-data');
    expect(resolve({ fileText: RGW_CONFIG }).config.dataDir).toBe('/home/u/.local/share/berth');
  });

  it('reads REGISTRY_STORAGE_S3_* variables; REGISTRY_STORAGE=s3 replaces a file with storage.filesystem', () => {
    const env = {
      REGISTRY_STORAGE: 's3',
      REGISTRY_STORAGE_S3_BUCKET: 'b-1',
      REGISTRY_STORAGE_S3_REGION: 'eu-west-1',
      REGISTRY_STORAGE_S3_ACCESSKEY: 'K',
      REGISTRY_STORAGE_S3_SECRETKEY: 'S',
      REGISTRY_STORAGE_S3_CHUNKSIZE: '10485760',
      REGISTRY_STORAGE_S3_SECURE: 'true',
      REGISTRY_STORAGE_S3_FORCEPATHSTYLE: '1',
    };
    const fileText = 'storage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n';
    const { config } = resolve({ fileText, env });
    expect(config.s3).toEqual({ bucket: 'b-1', region: 'eu-west-1', accessKey: 'K', secretKey: 'S', forcePathStyle: true, chunkSize: 10485760, secure: true });
    expect(config.dataDir).toBe('/home/u/.local/share/berth');
    // Without REGISTRY_STORAGE=s3 the file's filesystem driver stays: two drivers, refused as registry:2 does.
    const { REGISTRY_STORAGE: _, ...withoutType } = env;
    expect(errorOf({ fileText, env: withoutType })).toMatch(/^storage: filesystem and s3 are both set; registry:2 takes one storage driver/);
    // The env values override the file's.
    expect(resolve({ fileText: RGW_CONFIG, env: { REGISTRY_STORAGE_S3_BUCKET: 'other' } }).config.s3?.bucket).toBe('other');
  });

  it("refuses a file with both storage.filesystem and storage.s3, and a driver Berth does not have", () => {
    const both = 'storage:\n  filesystem:\n    rootdirectory: /r\n  s3:\n    bucket: b\n    region: us-east-1\n';
    expect(errorOf({ fileText: both })).toMatch(/filesystem and s3 are both set/);
    expect(errorOf({ fileText: 'storage:\n  gcs:\n    bucket: b\n' })).toMatch(/storage driver "gcs" is not supported; Berth stores on the filesystem or in S3/);
    // Settings beside a driver are not drivers.
    const withSettings = 'storage:\n  s3:\n    bucket: b\n    region: us-east-1\n  delete:\n    enabled: false\n  maintenance:\n    uploadpurging:\n      enabled: false\n';
    expect(resolve({ fileText: withSettings }).config).toMatchObject({ s3: { bucket: 'b' }, deleteEnabled: false });
  });

  it("reads booleans as registry:2's S3 driver does: YAML booleans and Go's ParseBool strings", () => {
    const base = { REGISTRY_STORAGE_S3_BUCKET: 'bkt', REGISTRY_STORAGE_S3_REGION: 'us-east-1' };
    const cases = [['true', true], ['yes', true], ['on', true], ['1', true], ['t', true], ['T', true], ['false', false], ['Off', false], ['0', false], ['f', false]] as const;
    for (const [v, want] of cases) {
      expect(resolve({ env: { ...base, REGISTRY_STORAGE_S3_SECURE: v } }).config.s3?.secure, v).toBe(want);
      expect(resolve({ env: { ...base, REGISTRY_STORAGE_S3_FORCEPATHSTYLE: v } }).config.s3?.forcePathStyle, v).toBe(want);
    }
    expect(resolve({ fileText: 'storage:\n  s3:\n    bucket: bkt\n    region: r\n    secure: "false"\n' }).config.s3?.secure).toBe(false);
    expect(errorOf({ env: { ...base, REGISTRY_STORAGE_S3_SECURE: 'maybe' } })).toBe('storage.s3.secure: expected true or false, got "maybe"');
    expect(errorOf({ env: { ...base, REGISTRY_STORAGE_S3_FORCEPATHSTYLE: '2' } })).toMatch(/^storage.s3.forcepathstyle: expected true or false/);
  });

  it('defaults like registry:2 2.8: path style and region us-east-1 with a regionendpoint, virtual hosts without; secure and chunksize left to the driver', () => {
    const aws = resolve({ env: { REGISTRY_STORAGE_S3_BUCKET: 'bkt', REGISTRY_STORAGE_S3_REGION: 'eu-central-1' } }).config.s3;
    expect(aws).toEqual({ bucket: 'bkt', region: 'eu-central-1', forcePathStyle: false });
    const minio = resolve({ env: { REGISTRY_STORAGE_S3_BUCKET: 'bkt', REGISTRY_STORAGE_S3_REGIONENDPOINT: 'minio.local:9000/' } }).config.s3;
    expect(minio).toEqual({ bucket: 'bkt', region: 'us-east-1', regionEndpoint: 'minio.local:9000', forcePathStyle: true });
    const virtualHosts = resolve({
      env: { REGISTRY_STORAGE_S3_BUCKET: 'bkt', REGISTRY_STORAGE_S3_REGIONENDPOINT: 'https://s3.example', REGISTRY_STORAGE_S3_FORCEPATHSTYLE: 'false' },
    }).config.s3;
    expect(virtualHosts?.forcePathStyle).toBe(false);
  });

  it('reads chunksize as a number or a string of digits, within S3 part sizes', () => {
    const fileText = (v: string) => `storage:\n  s3:\n    bucket: bkt\n    region: us-east-1\n    chunksize: ${v}\n`;
    expect(resolve({ fileText: fileText('5242880') }).config.s3?.chunkSize).toBe(5242880);
    expect(resolve({ fileText: fileText('"20971520"') }).config.s3?.chunkSize).toBe(20971520);
    expect(resolve({ fileText: fileText('5368709120') }).config.s3?.chunkSize).toBe(5 * 1024 ** 3);
    expect(errorOf({ fileText: fileText('5242879') })).toMatch(/^storage.s3.chunksize: 5242879 is out of range \(5242880 to 5368709120 bytes/);
    expect(errorOf({ fileText: fileText('5368709121') })).toMatch(/out of range/);
    for (const bad of ['10MB', '1e7', '-5242880', '5242880.5']) {
      expect(errorOf({ fileText: fileText(bad) }), bad).toBe(`storage.s3.chunksize: expected a whole number of bytes, got "${bad}"`);
    }
  });

  it('trims rootdirectory of slashes at both ends; "/" is the bucket root', () => {
    const root = (v: string) => resolve({ env: { REGISTRY_STORAGE_S3_BUCKET: 'bkt', REGISTRY_STORAGE_S3_REGION: 'r', REGISTRY_STORAGE_S3_ROOTDIRECTORY: v } }).config.s3?.rootDirectory;
    expect(root('/a/b/')).toBe('a/b');
    expect(root('registry')).toBe('registry');
    expect(root('/')).toBeUndefined();
  });

  it('refuses missing or bad settings in one line naming the key, never echoing the secret key', () => {
    const cases: Array<[Partial<ResolveInput>, RegExp]> = [
      [{ env: { REGISTRY_STORAGE: 's3' } }, /^storage.s3.bucket must be set/],
      [{ fileText: 'storage:\n  s3:\n' }, /^storage.s3.bucket must be set/],
      [{ fileText: 'storage:\n  s3: [a]\n' }, /^storage.s3: expected a mapping/],
      [{ env: { REGISTRY_STORAGE_S3_BUCKET: 'bkt' } }, /^storage.s3.region must be set/],
      [{ env: { REGISTRY_STORAGE_S3_BUCKET: 'bkt', REGISTRY_STORAGE_S3_REGION: 'r', REGISTRY_STORAGE_S3_SECRETKEY: 'v3rysecret' } }, /^storage.s3.accesskey and storage.s3.secretkey must be set together/],
      [{ env: { REGISTRY_STORAGE_S3_BUCKET: 'bkt', REGISTRY_STORAGE_S3_REGIONENDPOINT: 'ftp://h' } }, /^storage.s3.regionendpoint: "ftp:\/\/h" must start with https:\/\/, http:\/\//],
      [{ env: { REGISTRY_STORAGE_S3_BUCKET: 'bkt', REGISTRY_STORAGE_S3_REGIONENDPOINT: 'http://k:v3rysecret@h' } }, /^storage.s3.regionendpoint: give only the scheme, host and port/],
      [{ env: { REGISTRY_STORAGE_S3_BUCKET: 'bkt', REGISTRY_STORAGE_S3_REGIONENDPOINT: 'http://h:99999' } }, /^storage.s3.regionendpoint: "http:\/\/h:99999" is not a URL/],
      [{ fileText: 'storage:\n  s3:\n    bucket: [a, b]\n' }, /^storage.s3.bucket: expected a single value, not a list/],
    ];
    for (const [input, message] of cases) {
      const msg = errorOf(input);
      expect(msg, String(message)).toMatch(message);
      expect(msg).not.toMatch(/v3rysecret|\n/);
    }
  });

  it("accepts registry:2's other S3 keys, warning only when they ask for what Berth does not do; unknown keys warned as usual", () => {
    const fileText = (extra: string) => `storage:\n  s3:\n    bucket: bkt\n    region: us-east-1\n${extra}`;
    const quiet = '    encrypt: false\n    v4auth: true\n    storageclass: STANDARD\n    objectacl: private\n    skipverify: false\n';
    expect(resolve({ fileText: fileText(quiet) }).warnings).toEqual([]);
    const loud = '    encrypt: true\n    keyid: k1\n    v4auth: false\n    storageclass: REDUCED_REDUNDANCY\n    multipartcopychunksize: 33554432\n    bukket: typo\n';
    const { config, warnings } = resolve({ fileText: fileText(loud) });
    expect(config.s3?.bucket).toBe('bkt');
    expect(warnings).toEqual([
      'config key storage.s3.bukket is not supported by Berth and is ignored',
      'config key storage.s3.encrypt is not supported by Berth and is ignored: objects are stored without server-side encryption',
      'config key storage.s3.keyid is not supported by Berth and is ignored: objects are stored without KMS encryption',
      'config key storage.s3.v4auth is not supported by Berth and is ignored: requests are signed with AWS Signature Version 4',
      "config key storage.s3.storageclass is not supported by Berth and is ignored: objects get the bucket's default storage class",
      'config key storage.s3.multipartcopychunksize is not supported by Berth and is ignored: copies use the SDK defaults',
    ]);
  });
});

describe('storage.redirect.disable', () => {
  it("is kept as Berth's redirect switch: on only when disable is false, absent when not given", () => {
    const s3 = { REGISTRY_STORAGE_S3_BUCKET: 'bkt', REGISTRY_STORAGE_S3_REGION: 'r' };
    expect(resolve({ env: s3 }).config.redirect).toBeUndefined();
    expect(resolve({ env: { ...s3, REGISTRY_STORAGE_REDIRECT_DISABLE: 'false' } }).config.redirect).toBe(true);
    expect(resolve({ env: { ...s3, REGISTRY_STORAGE_REDIRECT_DISABLE: 'true' } }).config.redirect).toBe(false);
    expect(resolve({ env: { ...s3, REGISTRY_STORAGE_REDIRECT_DISABLE: 'false' } }).warnings).toEqual([]);
    expect(errorOf({ env: { REGISTRY_STORAGE_REDIRECT_DISABLE: 'sometimes' } })).toMatch(/^storage.redirect.disable: expected true or false/);
  });

  it('warns that redirects need S3 when asked for on the filesystem', () => {
    const { config, warnings } = resolve({ fileText: 'storage:\n  filesystem:\n    rootdirectory: /r\n  redirect:\n    disable: false\n' });
    expect(config.s3).toBeUndefined();
    expect(config.redirect).toBe(true);
    expect(warnings).toEqual(['storage.redirect applies to storage.s3 only; blobs on the filesystem are served by Berth']);
  });
});
