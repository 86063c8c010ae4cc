/**
 * The browser's archive routes through a real `berth serve --ui` (issue 20): an export of local
 * tags as a download (the archive's images and digests as pushed; the temp file gone once sent, and
 * once the client leaves mid-download), an upload imported into the local registry (the images then
 * served by /v2 with the same digests; the temp file gone), and the session's rights: an image the
 * user may not pull is not exported, a user who may push nowhere uploads nothing, and an image the
 * user may not push fails alone with DENIED.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ArchiveImportReport } from '../../src-server/contract';
import { berthWorkspace } from '../helpers/berth-server';
import { pushRandomImage, type PushedImage } from '../helpers/push';
import { invoke, killUiServers, login, send, startUiServer, type Login } from './client';

const ws = berthWorkspace('berth-bridge-archives-');
afterAll(killUiServers);
let url: string;
let dataDir: string;
let auth: Record<string, string>;
let admin: Login;
let dev: Login;
let reader: Login;
let app: PushedImage;
let big: PushedImage;

beforeAll(async () => {
  dataDir = ws.fresh();
  const started = await startUiServer(dataDir);
  url = started.berth.url;
  auth = { authorization: `Basic ${Buffer.from(`admin:${started.password}`).toString('base64')}` };
  admin = await login(url, { username: 'admin', password: started.password });
  app = await pushRandomImage(url, 'team/app', 'v1', [64 * 1024], undefined, auth);
  await pushRandomImage(url, 'secret/db', 'v1', [1024], undefined, auth);
  big = await pushRandomImage(url, 'team/big', 'v1', [24 * 1024 * 1024], undefined, auth);
  for (const [name, rules] of [
    ['dev', 'pull@team/*,push@imports/*'],
    ['reader', 'pull@team/*'],
  ]) {
    const added = await invoke(url, admin, 'users:add', { name, password: `${name}-password-1`, rules });
    expect(added.json?.ok, added.text).toBe(true);
  }
  dev = await login(url, { username: 'dev', password: 'dev-password-1' });
  reader = await login(url, { username: 'reader', password: 'reader-password-1' });
});

const tempArchives = () => {
  try {
    return readdirSync(join(dataDir, 'berth', 'tmp', 'archives'));
  } catch {
    return [];
  }
};
const exportPath = (params: Array<[string, string]>, who: Login) => `/_berth/api/archive/export?${new URLSearchParams([...params, ['csrf', who.csrf]])}`;
const download = (who: Login, params: Array<[string, string]>) => send(url, 'GET', exportPath(params, who), { headers: { cookie: who.cookie } });
const upload = (who: Login, body: Buffer, query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  send(url, 'POST', `/_berth/api/archive/import?${new URLSearchParams({ ...query, csrf: who.csrf })}`, { headers: { cookie: who.cookie, 'content-type': 'application/x-tar', ...headers }, body });

/** The index.json of an OCI archive. */
async function ociIndex(archive: Buffer): Promise<{ manifests: Array<{ digest: string; annotations?: Record<string, string> }> }> {
  const dir = join(ws.dir, `x-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.tar'), archive);
  await tar.x({ file: join(dir, 'a.tar'), cwd: dir });
  return JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
}

let archive: Buffer;

describe('archives through the bridge', () => {
  it('downloads an OCI archive of a tag: its image and digest as pushed, named <repo>-<tag>.tar, the temp file removed after', async () => {
    const r = await download(admin, [['format', 'oci'], ['image', 'team/app:v1']]);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-tar');
    expect(r.headers['content-disposition']).toContain('attachment; filename="team_app-v1.tar"');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    const index = await ociIndex(r.body);
    expect(index.manifests.map((m) => m.digest)).toEqual([app.digest]);
    archive = r.body;
    await vi.waitFor(() => expect(tempArchives()).toEqual([]));
  });

  it('names a download of several images images.tar', async () => {
    const r = await download(admin, [['image', 'team/app:v1'], ['image', 'secret/db:v1']]);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.headers['content-disposition']).toContain('filename="images.tar"');
    expect((await ociIndex(r.body)).manifests).toHaveLength(2);
  });

  it('refuses an export naming an image the user may not pull, whole and before anything is written', async () => {
    const r = await download(dev, [['image', 'team/app:v1'], ['image', 'secret/db:v1']]);
    expect([r.status, r.json?.error?.code]).toEqual([403, 'DENIED']);
    expect(r.json.error.message).toBe('dev may not read secret/db: nothing was exported');
    expect(tempArchives()).toEqual([]);
    const ok = await download(dev, [['image', 'team/app:v1']]);
    expect(ok.status).toBe(200);
  });

  it('answers bad requests in words: no image, a bad reference, a bad format; no session, no token', async () => {
    const bad = async (params: Array<[string, string]>) => {
      const r = await download(admin, params);
      expect(r.status).toBe(400);
      return `${r.json.error.code}: ${r.json.error.message}`;
    };
    expect(await bad([])).toContain('ARGS_INVALID: name 1 to 1000 images');
    expect(await bad([['image', 'team/app']])).toContain('must be REPOSITORY:TAG or REPOSITORY@DIGEST');
    expect(await bad([['image', '../etc:passwd']])).toContain('is not a valid repository name');
    expect(await bad([['image', 'team/app:v1'], ['format', 'zip']])).toBe('ARGS_INVALID: format must be oci or docker');
    expect((await send(url, 'GET', '/_berth/api/archive/export?image=team/app:v1', {})).status).toBe(401);
    const noToken = await send(url, 'GET', '/_berth/api/archive/export?image=team/app:v1', { headers: { cookie: admin.cookie } });
    expect([noToken.status, noToken.json?.error?.code]).toEqual([403, 'CSRF']);
  });

  it('removes the temp archive when the client goes away mid-download', async () => {
    const target = new URL(exportPath([['image', 'team/big:v1']], admin), url);
    const got = await new Promise<number>((resolve, reject) => {
      const req = request(target, { headers: { cookie: admin.cookie } }, (res) => {
        res.once('data', (chunk: Buffer) => {
          // One chunk of a 24 MiB archive, then the browser cancels the save.
          req.destroy();
          resolve(chunk.length);
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      req.end();
    });
    expect(got).toBeGreaterThan(0);
    await vi.waitFor(() => expect(tempArchives()).toEqual([]), { timeout: 15_000 });
    // The server goes on answering.
    expect((await download(admin, [['image', 'team/app:v1']])).status).toBe(200);
    void big;
  });

  it('imports an uploaded archive into the repository given: the image served with the same digest, the temp file removed', async () => {
    const r = await upload(dev, archive, { to: 'imports/app', name: 'team_app-v1.tar' });
    expect(r.status, r.text).toBe(200);
    const report = r.json.result as ArchiveImportReport;
    expect(report).toMatchObject({ format: 'oci', imported: 1, failed: 0 });
    expect(report.images[0]).toMatchObject({ ok: true, target: 'imports/app:v1', digest: app.digest });
    const head = await send(url, 'HEAD', '/v2/imports/app/manifests/v1', { headers: { ...auth, accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect([head.status, head.headers['docker-content-digest']]).toEqual([200, app.digest]);
    expect(tempArchives()).toEqual([]);
  });

  it('fails alone an image the user may not push, with DENIED', async () => {
    const r = await upload(dev, archive);
    expect(r.status, r.text).toBe(200);
    const report = r.json.result as ArchiveImportReport;
    expect([report.imported, report.failed]).toEqual([0, 1]);
    expect(report.images[0]!.error?.code).toBe('DENIED');
    expect(tempArchives()).toEqual([]);
  });

  it('reads nothing from a user who may push nowhere, or into a repository they may not push to', async () => {
    const none = await upload(reader, archive, { to: 'team/app' });
    expect([none.status, none.json?.error?.code, none.json?.error?.message]).toEqual([403, 'DENIED', 'reader may not push to any repository, so cannot import']);
    const elsewhere = await upload(dev, archive, { to: 'team/app' });
    expect([elsewhere.status, elsewhere.json?.error?.message]).toEqual([403, 'dev may not push to team/app']);
    expect(tempArchives()).toEqual([]);
  });

  it('refuses an empty body, a broken archive in words, and a body declared larger than the limit before reading it', async () => {
    const empty = await upload(admin, Buffer.alloc(0));
    expect([empty.status, empty.json?.error?.code]).toEqual([400, 'ARCHIVE_INVALID']);
    const junk = await upload(admin, Buffer.from('this is not a tar archive at all'.repeat(40)), { name: 'junk.tar' });
    expect(junk.json?.ok, junk.text).toBe(false);
    expect(junk.json.error.code).toBe('ARCHIVE_INVALID');
    const huge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(new URL(`/_berth/api/archive/import?csrf=${admin.csrf}`, url), { method: 'POST', headers: { cookie: admin.cookie, 'content-length': String(100 * 1024 ** 3) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      // The headers alone: the server answers without waiting for 100 GiB.
      req.flushHeaders();
    });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body).error.message).toContain('larger than');
    await vi.waitFor(() => expect(tempArchives()).toEqual([]));
  });
});
