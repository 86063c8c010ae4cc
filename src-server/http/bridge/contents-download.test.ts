import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentsDownloader } from '../../api/contents';
import { parseRules } from '../../auth/rules';
import { LayerError } from '../../contents/types';
import { RegistryError } from '../../core/errors';
import { silentLogger } from '../../logger';
import { safeFileName, serveContentsDownload } from './contents-download';

describe('safeFileName', () => {
  it.each([
    ['motd', 'motd'],
    ['etc.tar', 'etc.tar'],
    ['.bashrc', 'bashrc'],
    ['a"b\r\nc;d', 'a_b__c_d'],
    ['café ☕.txt', 'caf___.txt'],
    ['..', 'download'],
    ['', 'download'],
  ])('%j → %j', (name, safe) => expect(safeFileName(name)).toBe(safe));
});

/** A download of a slow endless stream: it tells when its read was cancelled. */
function endless(): { downloader: ContentsDownloader; aborted: Promise<void>; destroyed: Promise<void> } {
  let onAbort!: () => void;
  let onDestroy!: () => void;
  const aborted = new Promise<void>((r) => (onAbort = r));
  const destroyed = new Promise<void>((r) => (onDestroy = r));
  const downloader: ContentsDownloader = async (_args, signal) => {
    signal.addEventListener('abort', onAbort, { once: true });
    let n = 0;
    const stream = new Readable({
      read() {
        // One chunk now and then, never an end: only the client going away stops it.
        setTimeout(() => this.push(Buffer.alloc(1024, n++ % 256)), 5);
      },
      destroy(_err, cb) {
        onDestroy();
        cb(null);
      },
    });
    return { name: 'big.bin', kind: 'file', size: null, stream };
  };
  return { downloader, aborted, destroyed };
}

describe('the download route', () => {
  let server: Server;
  let port: number;
  let current: ContentsDownloader = async () => ({ name: 'etc.tar', kind: 'tar', size: null, stream: Readable.from([Buffer.from('tarbytes')]) });
  const scope = { user: 'dev', rules: parseRules('pull@team/*') };
  beforeAll(async () => {
    const app = new Koa();
    app.silent = true;
    app.use((ctx) => serveContentsDownload(ctx, (a, s) => current(a, s), ctx.get('x-user') === 'dev' ? scope : undefined, silentLogger));
    server = createServer(app.callback());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const get = (query: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path: `/_berth/api/contents/download?${query}`, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      r.on('error', reject);
      r.end();
    });
  const q = (over: Record<string, string> = {}) => new URLSearchParams({ connection: 'local', repository: 'team/app', reference: 'v1', path: 'etc', ...over }).toString();

  it('streams a folder as a tar, an attachment with a safe name', async () => {
    const r = await get(q());
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-tar');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="etc.tar"; filename*=UTF-8''etc.tar`);
    expect(r.body.toString()).toBe('tarbytes');
  });

  it('sends a file with its length, and a name that cannot break the header', async () => {
    current = async () => ({ name: 'we"ird\r\n.txt', kind: 'file', size: 5, stream: Readable.from([Buffer.from('hello')]) });
    const r = await get(q({ path: '/etc/motd' }));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['content-length']).toBe('5');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="we_ird__.txt"; filename*=UTF-8''we_ird__.txt`);
    expect(r.body.toString()).toBe('hello');
  });

  it.each([
    ['a path leaving the root', q({ path: '../etc/passwd' }), 400, 'ARGS_INVALID'],
    ['the root itself', q({ path: '/' }), 400, 'ARGS_INVALID'],
    ['no reference', 'connection=local&repository=team/app&path=x', 400, 'ARGS_INVALID'],
    ['a parameter twice', `${q()}&path=x`, 400, 'ARGS_INVALID'],
  ])('refuses %s as the JSON envelope', async (_what, query, status, code) => {
    const r = await get(query);
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(r.body.toString())).toMatchObject({ ok: false, error: { code } });
  });

  it('answers the service failures with their code and status', async () => {
    current = async () => {
      throw new RegistryError('PLATFORM_UNKNOWN', { message: 'linux/s390x: the image has linux/amd64, linux/arm64' });
    };
    let r = await get(q());
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body.toString()).error).toEqual({ code: 'PLATFORM_UNKNOWN', message: 'linux/s390x: the image has linux/amd64, linux/arm64' });
    current = async () => {
      throw new LayerError('CORRUPT', 'layer sha256:abc: unexpected end of gzip data');
    };
    r = await get(q());
    expect(r.status).toBe(422);
    expect(JSON.parse(r.body.toString()).error.code).toBe('LAYER_UNREADABLE');
  });

  it('needs pull on the repository for a user who is not an administrator', async () => {
    current = async () => ({ name: 'x', kind: 'file', size: 1, stream: Readable.from([Buffer.from('x')]) });
    expect((await get(q(), { 'x-user': 'dev' })).status).toBe(200);
    const r = await get(q({ repository: 'other/app' }), { 'x-user': 'dev' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body.toString()).error.code).toBe('DENIED');
  });

  it('cancels the layer read when the client goes away', async () => {
    const run = endless();
    current = run.downloader;
    const req = request({ host: '127.0.0.1', port, path: `/x?${q()}` });
    req.end();
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    expect(res.statusCode).toBe(200);
    await once(res, 'data');
    req.destroy();
    await Promise.all([run.aborted, run.destroyed]);
  });
});

describe('a failure found once the layer is read', () => {
  it('still answers the envelope and its status, not a cut 200', async () => {
    const app = new Koa();
    app.silent = true;
    const failing: ContentsDownloader = async () => {
      const stream = new Readable({ read() {} });
      setImmediate(() => stream.destroy(new LayerError('CORRUPT', 'layer sha256:abc: invalid tar header')));
      return { name: 'x', kind: 'file', size: 10, stream };
    };
    const empty: ContentsDownloader = async () => ({ name: 'empty', kind: 'file', size: 0, stream: Readable.from([]) });
    app.use((ctx) => serveContentsDownload(ctx, ctx.query.path === 'empty' ? empty : failing, undefined, silentLogger));
    const server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/?connection=local&repository=a&reference=v1`;
    try {
      const bad = await fetch(`${base}&path=x`);
      expect(bad.status).toBe(422);
      expect(await bad.json()).toEqual({ ok: false, error: { code: 'LAYER_UNREADABLE', message: 'layer sha256:abc: invalid tar header', detail: { kind: 'CORRUPT' } } });
      const ok = await fetch(`${base}&path=empty`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-length')).toBe('0');
      expect((await ok.arrayBuffer()).byteLength).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
