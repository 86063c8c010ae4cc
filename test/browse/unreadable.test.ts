/**
 * Manifests Berth cannot read, from a hand-written registry on loopback that answers the
 * Distribution API with a Docker schema 1 manifest and with an HTML page (200): browse:image
 * answers MANIFEST_INVALID naming the repository and reference (never INTERNAL), the tag list shows
 * the row with that error, and content that is missing is MANIFEST_UNKNOWN.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowseHandlers } from '../../src-server/api/browse';
import { createCoreHandlers, dispatch } from '../../src-server/api/handlers';
import { Browser } from '../../src-server/browse/browser';
import { BrowseCache } from '../../src-server/browse/cache';
import { MissingContentError } from '../../src-server/browse/content';
import { RemoteSource } from '../../src-server/browse/remote-source';
import type { Envelope } from '../../src-server/contract';
import { RegistryError } from '../../src-server/core/errors';
import { silentLogger } from '../../src-server/logger';
import { RemoteRegistry } from '../../src-server/remote/client';

const SCHEMA1 = Buffer.from(
  JSON.stringify({
    schemaVersion: 1,
    name: 'old/app',
    tag: 'v1',
    architecture: 'amd64',
    fsLayers: [{ blobSum: `sha256:${'a'.repeat(64)}` }],
    history: [{ v1Compatibility: '{"id":"x"}' }],
    signatures: [],
  }),
);
const SCHEMA1_DIGEST = `sha256:${createHash('sha256').update(SCHEMA1).digest('hex')}`;
const HTML = Buffer.from('<!doctype html><html><body>Sign in</body></html>');

let server: Server;
let browser: Browser;

/** The parts of the Distribution API a browse of `old/app:v1` and `portal/app:latest` uses. */
function answer(method: string, path: string): { status: number; type?: string; body: Buffer; digest?: string } {
  const json = (status: number, value: unknown) => ({ status, type: 'application/json', body: Buffer.from(JSON.stringify(value)) });
  if (path === '/v2/') return json(200, {});
  if (path === '/v2/old/app/tags/list') return json(200, { name: 'old/app', tags: ['v1'] });
  if (path === '/v2/old/app/manifests/v1' || path === `/v2/old/app/manifests/${SCHEMA1_DIGEST}`) {
    return { status: 200, type: 'application/vnd.docker.distribution.manifest.v1+prettyjws', body: SCHEMA1, digest: SCHEMA1_DIGEST };
  }
  if (path === '/v2/portal/app/manifests/latest') return { status: 200, type: 'text/html; charset=utf-8', body: HTML };
  return json(404, { errors: [{ code: method === 'GET' && path.includes('/blobs/') ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN', message: 'unknown' }] });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const a = answer(req.method ?? 'GET', new URL(req.url ?? '/', 'http://x').pathname);
    res.statusCode = a.status;
    if (a.type) res.setHeader('content-type', a.type);
    if (a.digest) res.setHeader('docker-content-digest', a.digest);
    res.setHeader('content-length', a.body.length);
    res.end(req.method === 'HEAD' ? undefined : a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const source = new RemoteSource({ id: 'old', client: new RemoteRegistry({ url }), kind: 'registry' });
  browser = new Browser({ cache: new BrowseCache(new Database(':memory:')), source: async () => source });
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

describe('manifests Berth cannot read', () => {
  it('answers MANIFEST_INVALID for a schema 1 manifest, by tag and by digest, naming it', async () => {
    const byTag = await browser.image({ connection: 'old', repository: 'old/app', reference: 'v1' }).catch((e) => e);
    expect(byTag).toBeInstanceOf(RegistryError);
    expect(byTag).toMatchObject({ code: 'MANIFEST_INVALID', status: 400, detail: { repository: 'old/app', reference: 'v1' } });
    expect(byTag.message).toMatch(/^the manifest old\/app:v1 \(application\/vnd\.docker\.distribution\.manifest\.v1\+prettyjws\) cannot be read: Docker schema 1/);
    const byDigest = await browser.image({ connection: 'old', repository: 'old/app', reference: SCHEMA1_DIGEST }).catch((e) => e);
    expect(byDigest).toMatchObject({ code: 'MANIFEST_INVALID', detail: { reference: SCHEMA1_DIGEST } });
  });

  it('answers MANIFEST_INVALID for an HTML page served as a manifest', async () => {
    const err = await browser.image({ connection: 'old', repository: 'portal/app', reference: 'latest' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringMatching(/portal\/app:latest .*not valid JSON/) });
  });

  it('keeps the code through the channel envelope, and shows the tag row with the reason', async () => {
    const handlers = createCoreHandlers({ registry: undefined as never, log: silentLogger, app: createBrowseHandlers(browser) });
    const env = (await dispatch(handlers, 'browse:image', { connection: 'old', repository: 'old/app', reference: 'v1' }, () => {}, silentLogger)) as Envelope<unknown>;
    expect(env).toMatchObject({ ok: false, error: { code: 'MANIFEST_INVALID' } });
    const page = await browser.tags({ connection: 'old', repository: 'old/app' });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ name: 'v1', digest: null, size: null });
    expect(page.items[0]!.error).toMatch(/old\/app:v1 .*cannot be read/);
  });

  it('names missing content MANIFEST_UNKNOWN or BLOB_UNKNOWN', () => {
    expect(new MissingContentError(SCHEMA1_DIGEST)).toMatchObject({ code: 'MANIFEST_UNKNOWN', status: 404, message: `manifest ${SCHEMA1_DIGEST} not found` });
    expect(new MissingContentError(SCHEMA1_DIGEST, 'blob')).toMatchObject({ code: 'BLOB_UNKNOWN', status: 404 });
  });
});
