/**
 * The in-process registry for API tests: real services on a temp data dir, the real Koa app, a real
 * loopback listener, and a raw node:http client (fetch would normalise paths such as `/v2/a/../b`).
 */
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { createRegistryServer, type RegistryServerDeps } from '../../src-server/http/v2/app';
import { silentLogger } from '../../src-server/logger';
import { createServices, type Services, type ServicesOptions } from '../../src-server/services';
import { tempDir } from '../helpers/berth-server';
import { MT as CONTENT_MT } from '../helpers/oci-content';

/** A registry listening on 127.0.0.1 with its services and data dir. */
export interface ApiRegistry {
  base: string;
  port: number;
  dataDir: string;
  services: Services;
  /** Stops listening and closes the services (the data dir stays). */
  stop(): Promise<void>;
  /** stop() and remove the data dir. */
  close(): Promise<void>;
}

/** Starts the registry app in-process on a free loopback port. */
export async function startApi(
  opts: Partial<ServicesOptions> = {},
  app: Pick<RegistryServerDeps, 'authorize'> = {},
): Promise<ApiRegistry> {
  const tmp = opts.dataDir ? null : tempDir('berth-api-');
  const dataDir = opts.dataDir ?? tmp!.dir;
  const services = await createServices({ fsync: false, log: silentLogger, ...opts, dataDir });
  const koa = createRegistryServer({ registry: services.served, log: silentLogger, ...app });
  const server: Server = createServer(koa.callback());
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    server.closeAllConnections();
    await new Promise<void>((res) => server.close(() => res()));
    services.close();
  };
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    services,
    stop,
    close: async () => {
      await stop();
      tmp?.cleanup();
    },
  };
}

/** A response read whole. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** The body parsed as JSON (throws when it is not). */
  json(): any;
  header(name: string): string | undefined;
}

/** Options of a raw request. */
export interface RawOptions {
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  /** The client's source address (any 127.x.y.z reaches the server as another client address). */
  localAddress?: string;
}

/** Sends one request with the path exactly as given; bounded by a 10 s timeout. */
export function raw(port: number, method: string, path: string, opts: RawOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
    const headers: Record<string, string | number> = { ...opts.headers };
    if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length' || h.toLowerCase() === 'transfer-encoding')) {
      headers['Content-Length'] = body.length;
    }
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: 10_000, localAddress: opts.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: buf,
          text,
          json: () => JSON.parse(text),
          header: (name) => {
            const v = res.headers[name.toLowerCase()];
            return Array.isArray(v) ? v.join(', ') : v;
          },
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** One row of a table-driven HTTP test (DESIGN.md). */
export interface Case {
  desc: string;
  method: string;
  url: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  status: number;
  /** An OCI error code the body must carry (checked with the error shape). */
  code?: string;
  /** Headers that must equal these values (a RegExp must match; null must be absent). */
  expectHeaders?: Record<string, string | RegExp | null>;
  /** Extra checks on the response. */
  expect?: (res: RawResponse) => void;
}

/** Asserts the spec's error shape `{"errors":[{code,message,detail}]}` with the given code. */
export function expectError(res: RawResponse, code: string, status?: number): void {
  if (status !== undefined) expect(res.status, res.text).toBe(status);
  expect(res.header('content-type')).toMatch(/^application\/json/);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['errors']);
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0].code).toBe(code);
  expect(typeof body.errors[0].message).toBe('string');
  expect(body.errors[0].message.length).toBeGreaterThan(0);
  expect('detail' in body.errors[0]).toBe(true);
}

/** Runs one table row and checks the status, the API version header (on /v2 paths only), the error shape and extras. */
export async function runCase(port: number, c: Case): Promise<RawResponse> {
  const res = await raw(port, c.method, c.url, { headers: c.headers, body: c.body });
  expect(res.status, `${c.desc}: ${c.method} ${c.url} -> ${res.text}`).toBe(c.status);
  // Only the registry API says it is one: `/v2` and below, never another path.
  const registryPath = /^\/v2(\/|$|\?)/.test(c.url);
  expect(res.header('docker-distribution-api-version'), c.desc).toBe(registryPath ? 'registry/2.0' : undefined);
  expect(res.status, `${c.desc}: never a 500`).toBeLessThan(500);
  if (c.code) expectError(res, c.code);
  for (const [k, v] of Object.entries(c.expectHeaders ?? {})) {
    const got = res.header(k);
    if (v === null) expect(got, `${c.desc}: ${k}`).toBeUndefined();
    else if (v instanceof RegExp) expect(got, `${c.desc}: ${k}`).toMatch(v);
    else expect(got, `${c.desc}: ${k}`).toBe(v);
  }
  c.expect?.(res);
  return res;
}

/** `alg:hex` digest of a buffer. */
export function digest(data: Buffer | string, alg: 'sha256' | 'sha512' = 'sha256'): string {
  return `${alg}:${createHash(alg).update(data).digest('hex')}`;
}

/** Media types used in the tests: the fixtures' table, with uncompressed OCI layers. */
export const MT = { ...CONTENT_MT, ociLayer: 'application/vnd.oci.image.layer.v1.tar' } as const;

/** Uploads a blob with one POST `?digest=`; asserts 201. */
export async function putBlob(port: number, repo: string, data: Buffer | string, alg: 'sha256' | 'sha512' = 'sha256'): Promise<string> {
  const d = digest(data, alg);
  const res = await raw(port, 'POST', `/v2/${repo}/blobs/uploads/?digest=${d}`, {
    body: data,
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  expect(res.status, res.text).toBe(201);
  return d;
}

/** PUTs a manifest; asserts 201 and returns the digest answered. */
export async function putManifest(port: number, repo: string, ref: string, manifest: object | string, mediaType?: string): Promise<string> {
  const body = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
  const mt = mediaType ?? (typeof manifest === 'object' && 'mediaType' in manifest ? String(manifest.mediaType) : MT.ociManifest);
  const res = await raw(port, 'PUT', `/v2/${repo}/manifests/${ref}`, { body, headers: { 'Content-Type': mt } });
  expect(res.status, res.text).toBe(201);
  return res.header('docker-content-digest')!;
}

/** Pushes a config and one layer and returns an image manifest referencing them (not yet pushed). */
export async function imageParts(
  port: number,
  repo: string,
  kind: 'oci' | 'docker' = 'oci',
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const layer = Buffer.from(`layer ${repo} ${Math.random()}`);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', nonce: Math.random() }));
  const layerDigest = await putBlob(port, repo, layer);
  const configDigest = await putBlob(port, repo, config);
  const oci = kind === 'oci';
  return {
    schemaVersion: 2,
    mediaType: oci ? MT.ociManifest : MT.dockerManifest,
    config: { mediaType: oci ? MT.ociConfig : MT.dockerConfig, digest: configDigest, size: config.length },
    layers: [{ mediaType: oci ? MT.ociLayer : MT.dockerLayer, digest: layerDigest, size: layer.length }],
    ...extra,
  };
}
