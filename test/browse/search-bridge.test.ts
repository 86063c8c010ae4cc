/**
 * `browse:search` through the `/_berth/api` bridge of a real `berth serve --ui`, over images skopeo
 * pushed: tags and digests across the local registry's repositories (an index's platforms
 * included), and a real `docker-registry` added as a connection, searched within what it lists with
 * the limits said in the answer. Hostile search text is refused in words.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke, killUiServers, login, startUiServer, type Login } from '../bridge/client';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, writeOciLayout, type ContainersSandbox } from '../helpers/images';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';

const ws = berthWorkspace('berth-search-bridge-');
afterAll(killUiServers);
let berth: RunningBerth;
let admin: Login;
let reg2: RunningRegistry2;
let sandbox: ContainersSandbox;
let remoteId: string;
let multi: ReturnType<typeof writeOciLayout>;
let single: ReturnType<typeof writeOciLayout>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function search(args: Record<string, unknown>): Promise<{ ok: boolean; result?: any; error?: { code: string; message: string } }> {
  const r = await invoke(berth.url, admin, 'browse:search', args);
  expect(r.status, r.text).toBeLessThan(500);
  return r.json;
}

beforeAll(async () => {
  const started = await startUiServer(ws.fresh('ui'));
  berth = started.berth;
  admin = await login(berth.url, { username: 'admin', password: started.password });
  const r2dir = ws.fresh('reg2');
  mkdirSync(r2dir, { recursive: true });
  reg2 = await startRegistry2(join(r2dir, 'data'), r2dir);
  sandbox = containersSandbox(ws.fresh('sandbox'));
  const small = (name: string) => [[{ path: 'etc/search', data: Buffer.from(`${name}\n`) }]];
  multi = writeOciLayout(ws.fresh('multi'), { tag: 'multi', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }], layers: small('multi') });
  single = writeOciLayout(ws.fresh('single'), { tag: 'single', layers: small('single') });
  const copy = (from: string, to: string, creds: string[]) => sandbox.skopeo(['copy', '--quiet', '--all', '--dest-tls-verify=false', ...creds, from, to]);
  const local = ['--dest-creds', `admin:${started.password}`];
  const multiRef = `oci:${multi.layout.dir}:multi`;
  const singleRef = `oci:${single.layout.dir}:single`;
  for (const ref of ['team/app:1.0', 'team/app:stable']) await copy(multiRef, `docker://${berth.host}/${ref}`, local);
  for (const ref of ['tools/cli:1.0.2', 'tools/cli:latest']) await copy(singleRef, `docker://${berth.host}/${ref}`, local);
  await copy(multiRef, `docker://${reg2.host}/team/app:1.0`, []);
  await copy(singleRef, `docker://${reg2.host}/other/x:2.0`, []);
  const added = await invoke(berth.url, admin, 'connections:add', { name: 'team registry', kind: 'registry', url: reg2.url });
  expect(added.json?.ok, added.text).toBe(true);
  remoteId = added.json.result.id;
}, 120_000);

afterAll(async () => {
  await reg2?.kill();
  sandbox?.cleanup();
});

const AMD = () => multi.images[0]!.manifest.digest;
const ARM = () => multi.images[1]!.manifest.digest;

describe('the local registry', () => {
  it('finds a tag or the beginning of one across repositories, with the digest it points at', async () => {
    expect(await search({ connection: 'local', kind: 'tag', query: '1.0' })).toEqual({
      ok: true,
      result: {
        items: [
          { repository: 'team/app', tag: '1.0', digest: multi.top.digest },
          { repository: 'tools/cli', tag: '1.0.2', digest: single.top.digest },
        ],
        page: 1,
        total: 2,
        searched: { repositories: 2, of: 2 },
        complete: true,
        limits: [],
      },
    });
    const filtered = await search({ connection: 'local', kind: 'tag', query: 'l', repositories: 'TOOLS' });
    expect(filtered.result.items).toEqual([{ repository: 'tools/cli', tag: 'latest', digest: single.top.digest }]);
    expect(filtered.result.searched).toEqual({ repositories: 1, of: 1 });
  });

  it('finds a platform of an index by its digest, with the tags of the index', async () => {
    const r = await search({ connection: 'local', kind: 'digest', query: ARM() });
    expect(r.result.items).toEqual([
      { repository: 'team/app', tag: '1.0', digest: ARM(), index: { digest: multi.top.digest, platform: 'linux/arm64' } },
      { repository: 'team/app', tag: 'stable', digest: ARM(), index: { digest: multi.top.digest, platform: 'linux/arm64' } },
    ]);
  });

  it('finds by the beginning of a digest, without sha256: and in capitals', async () => {
    const hex = AMD().slice('sha256:'.length, 'sha256:'.length + 12);
    const r = await search({ connection: 'local', kind: 'digest', query: hex.toUpperCase() });
    expect(r.result.items.map((h: { digest: string; tag: string }) => `${h.tag}@${h.digest}`)).toEqual([`1.0@${AMD()}`, `stable@${AMD()}`]);
    const top = await search({ connection: 'local', kind: 'digest', query: `sha256:${single.top.digest.slice(7, 20)}` });
    expect(top.result.items).toEqual([
      { repository: 'tools/cli', tag: '1.0.2', digest: single.top.digest },
      { repository: 'tools/cli', tag: 'latest', digest: single.top.digest },
    ]);
  });

  it('pages the hits', async () => {
    const second = await search({ connection: 'local', kind: 'tag', query: '1', n: 1, page: 2 });
    expect(second.result).toMatchObject({ page: 2, total: 2, items: [{ repository: 'tools/cli', tag: '1.0.2' }] });
  });

  it.each([
    [{ kind: 'regex', query: 'v1' }, /kind must be tag or digest/],
    [{ kind: 'tag', query: '.*' }, /cannot begin a tag/],
    [{ kind: 'tag', query: "1' OR '1'='1" }, /cannot begin a tag/],
    [{ kind: 'tag', query: 'v1%' }, /cannot begin a tag/],
    [{ kind: 'tag', query: '   ' }, /query must not be empty/],
    [{ kind: 'tag', query: 'a'.repeat(161) }, /at most 160 characters/],
    [{ kind: 'digest', query: 'abc' }, /at least 4 hex digits/],
    [{ kind: 'digest', query: 'md5:abcd' }, /not a digest/],
    [{ kind: 'digest', query: `sha256:${'a'.repeat(65)}` }, /not a digest/],
    [{ kind: 'tag', query: 'v', n: 500 }, /n must be a whole number from 1 to 200/],
    [{ kind: 'tag', query: 'v', repositories: 'r'.repeat(300) }, /repositories must be at most 256 characters/],
  ])('refuses %j in words (ARGS_INVALID)', async (args, message) => {
    expect(await search({ connection: 'local', ...args })).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID', message: expect.stringMatching(message) } });
  });
});

describe('a remote registry, searched within what it lists', () => {
  it('finds tags in its repositories, resolving the digests of the page', async () => {
    const r = await search({ connection: remoteId, kind: 'tag', query: '2.' });
    expect(r.result).toEqual({
      items: [{ repository: 'other/x', tag: '2.0', digest: single.top.digest }],
      page: 1,
      total: 1,
      searched: { repositories: 2, of: 2 },
      complete: true,
      limits: [],
    });
  });

  it('finds a whole digest by asking each repository, and says a prefix looks only at what Berth has read', async () => {
    await invoke(berth.url, admin, 'browse:refresh', { connection: remoteId });
    const whole = await search({ connection: remoteId, kind: 'digest', query: multi.top.digest });
    expect(whole.result.items).toEqual([{ repository: 'team/app', tag: null, digest: multi.top.digest }]);
    expect(whole.result.limits).toEqual(['a remote is searched by digest among the tags Berth has read: 2 repositories not opened in Berth yet were not looked into by tag']);
    const prefix = await search({ connection: remoteId, kind: 'digest', query: ARM().slice(0, 20) });
    expect(prefix.result).toMatchObject({ items: [], complete: false });
    expect(prefix.result.limits).toEqual([
      'a remote is searched by digest among the tags Berth has read: 2 repositories not opened in Berth yet were not looked into',
      'manifests no tag points at are found on a remote only by their whole digest',
    ]);

    // Once the repository was opened (its tags, their digests and the index read), a prefix finds the platform.
    const tags = await invoke(berth.url, admin, 'browse:tags', { connection: remoteId, repository: 'team/app' });
    expect(tags.json.ok, tags.text).toBe(true);
    const again = await search({ connection: remoteId, kind: 'digest', query: ARM().slice(0, 20) });
    expect(again.result.items).toEqual([{ repository: 'team/app', tag: '1.0', digest: ARM(), index: { digest: multi.top.digest, platform: 'linux/arm64' } }]);
    expect(again.result.limits[0]).toMatch(/: 1 repository not opened in Berth yet was not looked into$/);
    // And the whole digest now comes with the tag Berth has read.
    expect((await search({ connection: remoteId, kind: 'digest', query: multi.top.digest })).result.items).toEqual([{ repository: 'team/app', tag: '1.0', digest: multi.top.digest }]);
  });
});
