import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/berth-server';
import { serveOnLoopback, type LoopbackServer } from '../../../test/helpers/net';
import { readAuditPage } from '../../audit/audit-reader';
import { NotFoundError, RegistryError } from '../../core/errors';
import { silentLogger } from '../../logger';
import { createServices, type Services } from '../../services';
import { createRegistryServer } from './app';
import { notFoundAs } from './not-found';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const UUID = '0b7d9f3e-8a1c-4c2e-9f6a-3d5b7e9c1a2f';

describe('notFoundAs', () => {
  it('turns a NotFoundError into the chosen code and lets any other error through', async () => {
    const missing = notFoundAs('BLOB_UNKNOWN', () => {
      throw new NotFoundError('blob');
    });
    await expect(missing()).rejects.toMatchObject({ name: 'RegistryError', code: 'BLOB_UNKNOWN', status: 404 });
    const other = new RegistryError('DENIED');
    await expect(notFoundAs('BLOB_UNKNOWN', () => Promise.reject(other))()).rejects.toBe(other);
  });
});

describe('each /v2 route answers a missing thing with its own code', () => {
  let services: Services;
  let server: LoopbackServer;
  let base: string;
  const tmp = tempDir('berth-not-found-');

  beforeAll(async () => {
    services = await createServices({ fsync: false, log: silentLogger, dataDir: tmp.dir });
    server = await serveOnLoopback(createRegistryServer({ registry: services.served, log: silentLogger, audit: services.audit }).callback());
    base = server.base;
  });
  afterAll(async () => {
    await server.close();
    services.close();
    tmp.cleanup();
  });

  it.each([
    ['GET', '/v2/team/app/tags/list', 'NAME_UNKNOWN'],
    ['GET', '/v2/team/app/manifests/latest', 'MANIFEST_UNKNOWN'],
    ['DELETE', '/v2/team/app/manifests/latest', 'MANIFEST_UNKNOWN'],
    ['GET', `/v2/team/app/blobs/${DIGEST}`, 'BLOB_UNKNOWN'],
    ['DELETE', `/v2/team/app/blobs/${DIGEST}`, 'BLOB_UNKNOWN'],
    ['GET', `/v2/team/app/blobs/uploads/${UUID}`, 'BLOB_UPLOAD_UNKNOWN'],
    ['DELETE', `/v2/team/app/blobs/uploads/${UUID}`, 'BLOB_UPLOAD_UNKNOWN'],
    ['GET', '/v2/team/app/nothing-here', 'NOT_FOUND'],
  ])('%s %s → 404 %s', async (method, path, code) => {
    const res = await fetch(base + path, { method });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { errors: Array<{ code: string }> };
    expect(body.errors[0]!.code).toBe(code);
  });

  it('records the code the route chose in the audit log', async () => {
    const res = await fetch(`${base}/v2/team/gone/manifests/${DIGEST}`, { method: 'DELETE' });
    expect(res.status).toBe(404);
    const page = await readAuditPage(services.auditPath, { limit: 10 });
    const entry = page.entries.find((e) => e.target === `team/gone@${DIGEST}`);
    expect(entry).toMatchObject({ action: 'manifest.delete', result: 'MANIFEST_UNKNOWN' });
  });
});
