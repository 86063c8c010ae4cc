/**
 * Docker Hub's namespace listing against a tiny fake of Hub's web API on loopback (an internet
 * service, the one thing faked), with a real `berth serve` as the registry for everything else;
 * and the connection test's answers for an unreachable port, an HTTP server that is not a
 * registry, and https spoken to a plain-HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteSource } from '../../src-server/browse/remote-source';
import { RemoteRegistry } from '../../src-server/remote/client';
import { testConnection } from '../../src-server/remote/probe';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { pushRandomImage } from '../helpers/push';
import { freePort } from '../helpers/registry2';

const ws = berthWorkspace('berth-remote-hub-');
let berth: RunningBerth;
let hub: Server;
let hubUrl: string;
let website: Server;
const hubRequests: string[] = [];

/**
 * Hub's `GET /v2/repositories/<ns>/?page_size=&page=`: `acme` has 3 pages, `solo` one, `growing`
 * whatever a test puts there, `endless` a body that never ends; others 404.
 */
const HUB: Record<string, string[][]> = { acme: [['zeta', 'app'], ['tools'], ['app2']], solo: [['one']], growing: [['first']] };
/** Whether the endless page's connection was closed by the client. */
let endlessClosed: Promise<void> | null = null;

beforeAll(async () => {
  berth = await ws.serve(ws.fresh());
  hub = createServer((req, res) => {
    hubRequests.push(req.url!);
    const u = new URL(req.url!, 'http://hub');
    const m = /^\/v2\/repositories\/([^/]+)\/$/.exec(u.pathname);
    if (m?.[1] === 'endless') {
      res.writeHead(200, { 'content-type': 'application/json' });
      endlessClosed = new Promise((r) => res.once('close', () => r()));
      const chunk = Buffer.alloc(64 << 10, 0x20);
      res.write('{"results":[');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      return pump();
    }
    const pages = m ? HUB[m[1]!] : undefined;
    if (!pages) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"object not found"}');
    const page = Number(u.searchParams.get('page') ?? '1');
    const next = page < pages.length ? `${hubUrl}/v2/repositories/${m![1]}/?page_size=100&page=${page + 1}` : null;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ count: pages.flat().length, next, previous: null, results: (pages[page - 1] ?? []).map((name) => ({ name, namespace: m![1] })) }));
  });
  website = createServer((req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not here</body></html>'));
  await Promise.all([hub, website].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
}, 40_000);

afterAll(async () => {
  for (const s of [hub, website]) s?.closeAllConnections();
  await Promise.all([hub, website].map((s) => s && new Promise((r) => s.close(r))));
});

describe('Docker Hub connections', () => {
  it('lists namespaces through the Hub API, merged with the saved repositories, sorted and paged', async () => {
    const client = new RemoteRegistry({ url: berth.url });
    const source = new RemoteSource({ id: 'hub', client, kind: 'dockerhub', namespaces: ['acme', 'solo', 'ghost'], repositories: ['library/alpine', 'acme/app'], hubApiUrl: hubUrl });
    const all = ['acme/app', 'acme/app2', 'acme/tools', 'acme/zeta', 'library/alpine', 'solo/one'];
    expect(await source.repositories(100)).toEqual({ names: all, next: null, source: 'namespace' });
    expect(await source.repositories(4)).toEqual({ names: all.slice(0, 4), next: 'acme/zeta', source: 'namespace' });
    expect(await source.repositories(4, 'acme/zeta')).toEqual({ names: ['library/alpine', 'solo/one'], next: null, source: 'namespace' });
    // Hub pages were followed along `next`, and listed once for the three pages asked.
    expect(hubRequests.filter((r) => r.startsWith('/v2/repositories/acme/'))).toEqual([
      '/v2/repositories/acme/?page_size=100&page=1',
      '/v2/repositories/acme/?page_size=100&page=2',
      '/v2/repositories/acme/?page_size=100&page=3',
    ]);
    await client.close();
  });

  it('without namespaces lists the saved repositories; the rest goes to the registry', async () => {
    const pushed = await pushRandomImage(berth.url, 'library/alpine', 'latest');
    const client = new RemoteRegistry({ url: berth.url });
    const source = new RemoteSource({ id: 'hub', client, kind: 'dockerhub', repositories: ['library/alpine'], hubApiUrl: hubUrl });
    expect(await source.repositories(10)).toEqual({ names: ['library/alpine'], next: null, source: 'saved' });
    expect(await source.tags('library/alpine')).toEqual(['latest']);
    expect((await source.headManifest('library/alpine', 'latest'))!.digest).toBe(pushed.digest);
  });

  it('asks Hub again after forgetListings, and keeps the listing until then', async () => {
    const client = new RemoteRegistry({ url: berth.url });
    const source = new RemoteSource({ id: 'hub', client, kind: 'dockerhub', namespaces: ['growing'], hubApiUrl: hubUrl });
    expect((await source.repositories(10)).names).toEqual(['growing/first']);
    HUB.growing = [['first', 'second']];
    expect((await source.repositories(10)).names).toEqual(['growing/first']);
    source.forgetListings();
    expect((await source.repositories(10)).names).toEqual(['growing/first', 'growing/second']);
    await source.close();
  });

  it('stops reading a Hub page beyond its size limit instead of buffering it', async () => {
    const source = new RemoteSource({ id: 'hub', client: new RemoteRegistry({ url: berth.url }), kind: 'dockerhub', namespaces: ['endless'], hubApiUrl: hubUrl });
    const err = await source.repositories(10).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RemoteProtocolError', message: expect.stringContaining('larger than') });
    // The endless body's connection is dropped, not left streaming.
    await endlessClosed;
  }, 15_000);

  it('addresses a one-part name as library/<name> (official images), listing it as saved', async () => {
    const pushed = await pushRandomImage(berth.url, 'library/nginx', '1.27', [2048]);
    const client = new RemoteRegistry({ url: berth.url });
    const source = new RemoteSource({ id: 'hub', client, kind: 'dockerhub', repositories: ['nginx'], hubApiUrl: hubUrl });
    expect(await source.repositories(10)).toEqual({ names: ['nginx'], next: null, source: 'saved' });
    expect(await source.tags('nginx')).toEqual(['1.27']);
    expect((await source.headManifest('nginx', '1.27'))!.digest).toBe(pushed.digest);
    const m = (await source.getManifest('nginx', pushed.digest))!;
    expect(m.digest).toBe(pushed.digest);
    const layer = pushed.manifest.layers[0]!;
    expect(await source.headBlob('nginx', layer.digest)).toBe(2048);
    const blob = (await source.getBlob('nginx', layer.digest))!;
    let read = 0;
    for await (const c of blob.chunks) read += c.length;
    expect(read).toBe(2048);
    // Writes go to library/ too: a mount from `nginx` and a tag pushed to `nginx`.
    expect(await source.mountBlob('library/copy', layer.digest, 'nginx')).toBe(true);
    await source.putManifest('nginx', 'pushed', m.body, m.mediaType);
    expect(await client.tags('library/nginx')).toEqual(expect.arrayContaining(['1.27', 'pushed']));
    expect(await client.tags('nginx')).toBeNull();
    // Any other kind takes the name as it is.
    const plain = new RemoteSource({ id: 'reg', client, kind: 'registry' });
    expect(await plain.tags('nginx')).toBeNull();
    await source.close();
  });

  it('pulls from docker.io for registry-1.docker.io', () => {
    const source = new RemoteSource({ id: 'hub', client: new RemoteRegistry({ url: 'https://registry-1.docker.io' }), kind: 'dockerhub' });
    expect(source.pullHost).toBe('docker.io');
  });
});

describe('testConnection failures', () => {
  it('reports an unreachable port', async () => {
    const port = await freePort();
    const r = await testConnection({ url: `http://127.0.0.1:${port}` });
    expect(r).toMatchObject({ ok: false, url: `http://127.0.0.1:${port}`, error: { code: 'UNREACHABLE' } });
    expect(r.error!.message).toMatch(/Cannot reach 127\.0\.0\.1:\d+/);
  });

  it('reports an HTTP server without the registry API', async () => {
    const url = `http://127.0.0.1:${(website.address() as AddressInfo).port}`;
    const r = await testConnection({ url });
    expect(r).toMatchObject({ ok: false, apiVersion: null, error: { code: 'NOT_A_REGISTRY' } });
    expect(r.error!.message).toContain('not as a container registry');
  });

  it('takes a 200 on /v2/ without the registry header as no registry, JSON or not', async () => {
    const imposter = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((r) => imposter.listen(0, '127.0.0.1', r));
    try {
      const r = await testConnection({ url: `http://127.0.0.1:${(imposter.address() as AddressInfo).port}` });
      expect(r).toMatchObject({ ok: false, apiVersion: null, error: { code: 'NOT_A_REGISTRY' } });
      expect(r.error!.message).toContain('Docker-Distribution-API-Version');
    } finally {
      imposter.closeAllConnections();
      await new Promise((r) => imposter.close(r));
    }
  });

  it('reports https spoken to a plain-HTTP registry as a TLS error', async () => {
    const r = await testConnection({ url: berth.url.replace('http://', 'https://') });
    expect(r).toMatchObject({ ok: false, certificate: null, error: { code: 'TLS_ERROR' } });
  });

  it('answers an open registry without credentials, and keeps passwords typed into the URL out', async () => {
    const r = await testConnection({ url: berth.url.replace('http://', 'http://joe:hunter2@') + '/' });
    expect(r).toMatchObject({ ok: true, url: berth.url, authScheme: 'none', catalog: true, apiVersion: 'registry/2.0' });
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });
});
