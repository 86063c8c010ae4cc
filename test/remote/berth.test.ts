/**
 * The remote client against real `berth serve` processes, one with Basic auth and one with Bearer
 * tokens, each with a user made by `berth user add`: push (streamed), mount, read back, catalog
 * and tags over Link pages, referrers through the API, delete, refusals, and the connection test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteSource } from '../../src-server/browse/remote-source';
import { RemoteRegistry } from '../../src-server/remote/client';
import { RemoteAuthError } from '../../src-server/remote/errors';
import { testConnection } from '../../src-server/remote/probe';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';

const ws = berthWorkspace('berth-remote-');
const USER = 'alice';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}-Secret1`;
const servers: Partial<Record<'basic' | 'token', RunningBerth>> = {};
const clients: RemoteRegistry[] = [];

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function client(mode: 'basic' | 'token', password = PASSWORD, extra: { tagsPageSize?: number } = {}): RemoteRegistry {
  const c = new RemoteRegistry({ url: servers[mode]!.url, credentials: { username: USER, password }, ...extra });
  clients.push(c);
  return c;
}

/** Chunks handed out one by one, counting how many were taken (a streamed body pulls them lazily). */
async function* chunksOf(data: Buffer, size: number): AsyncIterable<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readAll(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

/** Pushes a config and one layer through the client and a manifest naming them; returns its parts. */
async function pushImage(c: RemoteRegistry, repo: string, tag: string, subject?: { digest: string; size: number }) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, n: randomBytes(4).toString('hex') }));
  const layer = randomBytes(300_000);
  await c.putBlob(repo, sha256(config), config.length, chunksOf(config, 64));
  await c.putBlob(repo, sha256(layer), layer.length, chunksOf(layer, 16_384));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      ...(subject ? { artifactType: 'application/vnd.example.sbom' } : {}),
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
      ...(subject ? { subject: { mediaType: OCI_MANIFEST, ...subject } } : {}),
    }),
  );
  const digest = await c.putManifest(repo, tag, manifest, OCI_MANIFEST);
  return { config, layer, manifest, digest };
}

beforeAll(async () => {
  await Promise.all(
    (['basic', 'token'] as const).map(async (mode) => {
      const data = ws.fresh(mode);
      const added = await runBerth(['user', 'add', USER, '--password-stdin', '--access', 'admin@*', '--data', data], { input: `${PASSWORD}\n` });
      expect(added.code, added.stderr).toBe(0);
      servers[mode] = await ws.serve(data, ['--auth', mode]);
    }),
  );
}, 50_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe.each(['basic', 'token'] as const)('berth serve --auth %s', (mode) => {
  it('pushes blobs streamed and a manifest, mounts them into another repository, and reads them back', async () => {
    const c = client(mode);
    const img = await pushImage(c, 'team/app', 'v1');
    expect(img.digest).toBe(sha256(img.manifest));
    expect(await c.headBlob('team/app', sha256(img.layer))).toBe(img.layer.length);

    expect(await c.mountBlob('team/copy', sha256(img.layer), 'team/app')).toBe(true);
    expect(await c.mountBlob('team/copy', sha256(img.config), 'team/app')).toBe(true);
    // Nothing to mount from a repository without the blob: the opened upload is cancelled.
    expect(await c.mountBlob('team/copy', sha256(randomBytes(8)), 'team/app')).toBe(false);
    await c.putManifest('team/copy', 'v1', img.manifest, OCI_MANIFEST);

    const source = new RemoteSource({ id: 'c1', client: c, kind: 'registry' });
    expect(source.pullHost).toBe(servers[mode]!.host);
    const m = await source.getManifest('team/copy', img.digest);
    expect(m).toEqual({ digest: img.digest, mediaType: OCI_MANIFEST, body: img.manifest });
    expect(await source.headManifest('team/copy', 'v1')).toEqual({ digest: img.digest, mediaType: OCI_MANIFEST, size: img.manifest.length });
    const blob = (await source.getBlob('team/copy', sha256(img.layer)))!;
    expect(blob.size).toBe(img.layer.length);
    expect((await readAll(blob.chunks)).equals(img.layer)).toBe(true);
    expect(await source.getBlob('team/copy', sha256(Buffer.from('absent')))).toBeNull();
  });

  it('refuses a blob whose bytes do not match its digest, with the registry message', async () => {
    const c = client(mode);
    const data = randomBytes(1000);
    const err = await c.putBlob('team/app', sha256(Buffer.from('other')), data.length, chunksOf(data, 100)).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'RemoteProtocolError', code: 'DIGEST_INVALID', status: 400 });
    expect(await c.headBlob('team/app', sha256(Buffer.from('other')))).toBeNull();
  });

  it('refuses a blob stream shorter or longer than announced as SIZE_INVALID, storing nothing', async () => {
    const c = client(mode);
    const data = randomBytes(5000);
    const short = await c.putBlob('team/size', sha256(data), data.length + 10, chunksOf(data, 1000)).catch((e: unknown) => e);
    expect(short).toMatchObject({ name: 'RemoteProtocolError', code: 'SIZE_INVALID' });
    expect((short as Error).message).toContain('ended after 5000 of the 5010 bytes');
    const long = await c.putBlob('team/size', sha256(data), data.length - 10, chunksOf(data, 1000)).catch((e: unknown) => e);
    expect(long).toMatchObject({ name: 'RemoteProtocolError', code: 'SIZE_INVALID' });
    const empty = await c.putBlob('team/size', sha256(Buffer.alloc(0)), 0, chunksOf(data, 1000)).catch((e: unknown) => e);
    expect(empty).toMatchObject({ name: 'RemoteProtocolError', code: 'SIZE_INVALID' });
    expect(await c.headBlob('team/size', sha256(data))).toBeNull();
  });

  it('pages the catalog and the tags along the Link headers', async () => {
    const c = client(mode, PASSWORD, { tagsPageSize: 2 });
    const base = await pushImage(c, 'paging/a', 't0');
    for (const r of ['paging/b', 'paging/c', 'paging/d']) await c.putBlob(r, sha256(base.config), base.config.length, chunksOf(base.config, 1000)).then(() => c.putBlob(r, sha256(base.layer), base.layer.length, chunksOf(base.layer, 65536))).then(() => c.putManifest(r, 'x', base.manifest, OCI_MANIFEST));
    for (const t of ['t1', 't2', 't3', 't4']) await c.putManifest('paging/a', t, base.manifest, OCI_MANIFEST);

    const names: string[] = [];
    const pages: number[] = [];
    let last: string | undefined;
    for (;;) {
      const page = await c.catalog(2, last);
      names.push(...page.names);
      pages.push(page.names.length);
      if (!page.next) break;
      expect(page.next).toBe(page.names.at(-1));
      last = page.next;
    }
    expect(pages.every((n) => n <= 2)).toBe(true);
    expect(pages.length).toBeGreaterThan(2);
    expect(names.filter((n) => n.startsWith('paging/'))).toEqual(['paging/a', 'paging/b', 'paging/c', 'paging/d']);
    expect(names).toEqual([...names].sort());

    expect(await c.tags('paging/a')).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(await c.tags('paging/nothing')).toBeNull();

    const source = new RemoteSource({ id: 'c1', client: c, kind: 'harbor', repositories: ['saved/only'] });
    const first = await source.repositories(1);
    expect(first).toMatchObject({ source: 'catalog', names: [names[0]], next: names[0] });
  });

  it('lists referrers through the referrers API', async () => {
    const c = client(mode);
    const subject = await pushImage(c, 'refs/app', 'v1');
    const none = await c.referrers('refs/app', subject.digest);
    expect(none).toEqual([]);
    const sbom = await pushImage(c, 'refs/app', 'sbom', { digest: subject.digest, size: subject.manifest.length });
    const source = new RemoteSource({ id: 'c1', client: c, kind: 'registry' });
    expect(await source.referrers('refs/app', subject.digest)).toEqual([
      { digest: sbom.digest, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example.sbom', size: sbom.manifest.length, annotations: {} },
    ]);
  });

  it('deletes a manifest by digest, then reports it not found', async () => {
    const c = client(mode);
    const img = await pushImage(c, 'del/app', 'v1');
    expect(await c.deleteManifest('del/app', img.digest)).toBe('deleted');
    expect(await c.getManifest('del/app', img.digest)).toBeNull();
    expect(await c.deleteManifest('del/app', img.digest)).toBe('not-found');
    const source = new RemoteSource({ id: 'c1', client: c, kind: 'registry' });
    await expect(source.deleteManifest('del/app', img.digest)).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('refuses a wrong password and anonymous callers as RemoteAuthError', async () => {
    const bad = await client(mode, 'wrong-password').ping().catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(RemoteAuthError);
    expect(bad).toMatchObject({ hadCredentials: true });
    const anon = new RemoteRegistry({ url: servers[mode]!.url });
    clients.push(anon);
    expect(await anon.tags('team/app').catch((e: unknown) => e)).toMatchObject({ name: 'RemoteAuthError', hadCredentials: false });
  });

  it('tests the connection: good, wrong and missing credentials', async () => {
    const url = servers[mode]!.url;
    const good = await testConnection({ url: `${url}/v2/`, credentials: { username: USER, password: PASSWORD } });
    expect(good).toMatchObject({ ok: true, url, authScheme: mode === 'basic' ? 'basic' : 'bearer', catalog: true, certificate: null, apiVersion: 'registry/2.0' });
    expect(good.latencyMs).toBeGreaterThanOrEqual(0);

    const wrong = await testConnection({ url, credentials: { username: USER, password: 'not-the-password' } });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(wrong.error!.message).not.toContain('not-the-password');

    const none = await testConnection({ url });
    expect(none).toMatchObject({ ok: false, authScheme: mode === 'basic' ? 'basic' : 'bearer', error: { code: 'AUTH_REQUIRED' } });
  });
});

