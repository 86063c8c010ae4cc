/**
 * The SQLite index and the disk agree: after pushes and deletes, a restart (reconcile) and a rebuild
 * from a deleted index.db give the same catalog, tags and manifests; uploads survive a restart.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/berth-server';
import { type ApiRegistry, digest, expectError, imageParts, MT, putManifest, raw, startApi } from './harness';

const tmp = tempDir('berth-reconcile-');
let reg: ApiRegistry | undefined;
afterAll(async () => {
  await reg?.stop();
  tmp.cleanup();
});

interface Snapshot {
  catalog: string[];
  tags: Record<string, string[]>;
  /** repo:tag -> digest, read over HTTP. */
  resolved: Record<string, string>;
}

async function snapshot(r: ApiRegistry): Promise<Snapshot> {
  const cat = await raw(r.port, 'GET', '/v2/_catalog');
  expect(cat.status).toBe(200);
  const catalog = cat.json().repositories as string[];
  const tags: Record<string, string[]> = {};
  const resolved: Record<string, string> = {};
  for (const repo of catalog) {
    const res = await raw(r.port, 'GET', `/v2/${repo}/tags/list`);
    expect(res.status, repo).toBe(200);
    tags[repo] = res.json().tags;
    for (const t of tags[repo]!) {
      const head = await raw(r.port, 'HEAD', `/v2/${repo}/manifests/${t}`);
      expect(head.status, `${repo}:${t}`).toBe(200);
      resolved[`${repo}:${t}`] = head.header('docker-content-digest')!;
    }
  }
  return { catalog, tags, resolved };
}

async function reopen(): Promise<ApiRegistry> {
  await reg?.stop();
  reg = await startApi({ dataDir: tmp.dir });
  return reg;
}

describe('index and disk agree', () => {
  let before: Snapshot;
  let deletedDigest: string;

  it('a sequence of pushes and deletes', async () => {
    const r = await reopen();
    const p = r.port;
    const app = await imageParts(p, 'team/app');
    const d1 = await putManifest(p, 'team/app', 'v1', app);
    await putManifest(p, 'team/app', 'v2', app);
    await putManifest(p, 'team/app', 'latest', await imageParts(p, 'team/app'));
    await putManifest(p, 'team/app', 'old', await imageParts(p, 'team/app'));
    // Delete a tag only, then a manifest by digest with its tags.
    expect((await raw(p, 'DELETE', '/v2/team/app/manifests/v2')).status).toBe(202);
    const doomed = await putManifest(p, 'team/app', 'doomed', await imageParts(p, 'team/app'));
    await putManifest(p, 'team/app', 'doomed2', await imageParts(p, 'team/app'));
    expect((await raw(p, 'DELETE', '/v2/team/app/manifests/old')).status).toBe(202);
    expect((await raw(p, 'DELETE', `/v2/team/app/manifests/${doomed}`)).status).toBe(202);
    deletedDigest = doomed;
    // A multi-arch index in another repo.
    const children = [];
    for (const arch of ['amd64', 'arm64']) {
      const m = await imageParts(p, 'team/multi');
      const body = JSON.stringify(m);
      children.push({ mediaType: MT.ociManifest, digest: await putManifest(p, 'team/multi', digest(body), body), size: body.length, platform: { os: 'linux', architecture: arch } });
    }
    await putManifest(p, 'team/multi', 'latest', { schemaVersion: 2, mediaType: MT.ociIndex, manifests: children });
    // A Docker image and a repo that is emptied of tags but keeps a manifest.
    await putManifest(p, 'docker/img', '1.0', await imageParts(p, 'docker/img', 'docker'));
    await putManifest(p, 'untagged', 'tmp', await imageParts(p, 'untagged'));
    expect((await raw(p, 'DELETE', '/v2/untagged/manifests/tmp')).status).toBe(202);
    // A referrer, so referrers survive a rebuild too.
    const subjectBody = (await raw(p, 'GET', `/v2/team/app/manifests/${d1}`)).body;
    await putManifest(p, 'team/app', 'sig', {
      ...(await imageParts(p, 'team/app')),
      artifactType: 'application/vnd.example.sig',
      subject: { mediaType: MT.ociManifest, digest: d1, size: subjectBody.length },
    });
    before = await snapshot(r);
    expect(before.catalog).toEqual(['docker/img', 'team/app', 'team/multi', 'untagged']);
    expect(before.tags['team/app']).toEqual(['doomed2', 'latest', 'sig', 'v1']);
    expect(before.tags['untagged']).toEqual([]);
  });

  it('a restart (reconcile) gives the same catalog, tags and digests', async () => {
    const r = await reopen();
    expect(r.services.reconcileReport.warnings).toEqual([]);
    expect(await snapshot(r)).toEqual(before);
    expect((await raw(r.port, 'GET', `/v2/team/app/manifests/${deletedDigest}`)).status).toBe(404);
  });

  it('deleting index.db and reopening rebuilds it', async () => {
    await reg!.stop();
    const db = join(tmp.dir, 'berth', 'index.db');
    expect(existsSync(db)).toBe(true);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    const r = await reopen();
    expect(existsSync(db)).toBe(true);
    expect(r.services.reconcileReport.repositories).toBe(4);
    expect(await snapshot(r)).toEqual(before);
    // Media types, referrers and child manifests come back from the disk too.
    const head = await raw(r.port, 'HEAD', '/v2/docker/img/manifests/1.0');
    expect(head.header('content-type')).toBe(MT.dockerManifest);
    const idx = await raw(r.port, 'HEAD', '/v2/team/multi/manifests/latest');
    expect(idx.header('content-type')).toBe(MT.ociIndex);
    const ref = await raw(r.port, 'GET', `/v2/team/app/referrers/${before.resolved['team/app:v1']}`);
    expect(ref.json().manifests.map((m: { artifactType: string }) => m.artifactType)).toEqual(['application/vnd.example.sig']);
  });

  it('changes made on disk while stopped are picked up (a tag removed by another registry)', async () => {
    await reg!.stop();
    rmSync(join(tmp.dir, 'docker/registry/v2/repositories/team/app/_manifests/tags/doomed2'), { recursive: true });
    const r = await reopen();
    const after = await snapshot(r);
    expect(after.tags['team/app']).toEqual(['latest', 'sig', 'v1']);
    expect(after.catalog).toEqual(before.catalog);
  });

  it('broken links on disk are left out of the index with a warning, never served', async () => {
    await reg!.stop();
    const repoDir = join(tmp.dir, 'docker/registry/v2/repositories/team/app/_manifests');
    const ghost = digest('no such manifest');
    // A tag pointing at a digest the repository does not hold.
    mkdirSync(join(repoDir, 'tags/ghost/current'), { recursive: true });
    writeFileSync(join(repoDir, 'tags/ghost/current/link'), ghost);
    // A revision whose content is missing.
    mkdirSync(join(repoDir, 'revisions/sha256', ghost.slice(7)), { recursive: true });
    writeFileSync(join(repoDir, 'revisions/sha256', ghost.slice(7), 'link'), ghost);
    // A revision whose content is not a manifest.
    const junk = Buffer.from('not json at all');
    const jd = digest(junk);
    mkdirSync(join(tmp.dir, 'docker/registry/v2/blobs/sha256', jd.slice(7, 9), jd.slice(7)), { recursive: true });
    writeFileSync(join(tmp.dir, 'docker/registry/v2/blobs/sha256', jd.slice(7, 9), jd.slice(7), 'data'), junk);
    mkdirSync(join(repoDir, 'revisions/sha256', jd.slice(7)), { recursive: true });
    writeFileSync(join(repoDir, 'revisions/sha256', jd.slice(7), 'link'), jd);
    const r = await reopen();
    const warnings = r.services.reconcileReport.warnings.join('\n');
    expect(warnings).toContain('ghost');
    expect(warnings).toContain(jd);
    expect((await snapshot(r)).tags['team/app']).toEqual(['latest', 'sig', 'v1']);
    expect((await raw(r.port, 'GET', '/v2/team/app/manifests/ghost')).status).toBe(404);
    expect((await raw(r.port, 'GET', `/v2/team/app/manifests/${ghost}`)).status).toBe(404);
    expect((await raw(r.port, 'GET', `/v2/team/app/manifests/${jd}`)).status).toBe(404);
  });

  it('a repository holding only an upload in progress is not in the catalog', async () => {
    const r = await reopen();
    const res = await raw(r.port, 'POST', '/v2/only/uploads/blobs/uploads/');
    expect(res.status).toBe(202);
    const r2 = await reopen();
    expect((await raw(r2.port, 'GET', '/v2/_catalog')).json().repositories).not.toContain('only/uploads');
  });

  it('nested repositories and names made of route words survive a restart', async () => {
    let r = await reopen();
    const names = ['nest', 'nest/child', 'nest/child/deeper', 'x/blobs', 'x/manifests', 'x/tags', 'x/blobs/uploads', 'x/referrers'];
    const digests: Record<string, string> = {};
    for (const n of names) {
      const m = await imageParts(r.port, n);
      digests[n] = await putManifest(r.port, n, 'latest', m);
      const layer = (m.layers as Array<{ digest: string }>)[0]!.digest;
      expect((await raw(r.port, 'HEAD', `/v2/${n}/blobs/${layer}`)).status, n).toBe(200);
      const up = await raw(r.port, 'POST', `/v2/${n}/blobs/uploads/`);
      expect(up.status, n).toBe(202);
      expect((await raw(r.port, 'GET', up.header('location')!)).status, n).toBe(204);
    }
    r = await reopen();
    const catalog = (await raw(r.port, 'GET', '/v2/_catalog')).json().repositories as string[];
    for (const n of names) {
      expect(catalog, n).toContain(n);
      const tags = await raw(r.port, 'GET', `/v2/${n}/tags/list`);
      expect(tags.json(), n).toEqual({ name: n, tags: ['latest'] });
      expect((await raw(r.port, 'HEAD', `/v2/${n}/manifests/latest`)).header('docker-content-digest'), n).toBe(digests[n]);
    }
  });

  it('an upload survives a restart: resumed chunk, then commit', async () => {
    let r = await reopen();
    const body = randomBytes(5000);
    const start = await raw(r.port, 'POST', '/v2/team/resume/blobs/uploads/');
    const loc = start.header('location')!;
    expect((await raw(r.port, 'PATCH', loc, { body: body.subarray(0, 2000), headers: { 'Content-Range': '0-1999' } })).status).toBe(202);
    r = await reopen();
    const st = await raw(r.port, 'GET', loc);
    expect(st.status).toBe(204);
    expect(st.header('range')).toBe('0-1999');
    const bad = await raw(r.port, 'PATCH', loc, { body: body.subarray(3000), headers: { 'Content-Range': '3000-4999' } });
    expect(bad.status).toBe(416);
    expect(bad.header('range')).toBe('0-1999');
    expect((await raw(r.port, 'PATCH', loc, { body: body.subarray(2000, 4000), headers: { 'Content-Range': '2000-3999' } })).status).toBe(202);
    const put = await raw(r.port, 'PUT', `${loc}?digest=${digest(body)}`, { body: body.subarray(4000) });
    expect(put.status, put.text).toBe(201);
    expect((await raw(r.port, 'GET', `/v2/team/resume/blobs/${digest(body)}`)).body.equals(body)).toBe(true);
  });

  it('a digest mismatch after a restart stores nothing', async () => {
    let r = await reopen();
    const body = Buffer.from('resumed but wrong');
    const loc = (await raw(r.port, 'POST', '/v2/team/resume/blobs/uploads/')).header('location')!;
    await raw(r.port, 'PATCH', loc, { body });
    r = await reopen();
    const claimed = digest('something else');
    const put = await raw(r.port, 'PUT', `${loc}?digest=${claimed}`);
    expectError(put, 'DIGEST_INVALID', 400);
    for (const dg of [claimed, digest(body)]) {
      const hex = dg.slice(7);
      expect(existsSync(join(tmp.dir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex))).toBe(false);
    }
    expect((await raw(r.port, 'GET', loc)).status).toBe(404);
  });
});
