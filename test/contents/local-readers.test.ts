/**
 * Local references (`repo:tag`): read through the running `berth serve`'s read-only control routes
 * (bearer token, streaming, 404 as an envelope), and in-process when no server owns the directory.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlReader, withImages } from '../../src-server/cli/contents-readers';
import { readControlFile } from '../../src-server/http/control/control-server';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { pushLayout, sha256, writeContentsFixture, type ContentsFixture } from '../helpers/contents-images';
import { containersSandbox, type ContainersSandbox } from '../helpers/images';

const ws = berthWorkspace('berth-local-readers-');
let sandbox: ContainersSandbox;
let fx: ContentsFixture;
let berth: RunningBerth;
let data: string;

beforeAll(async () => {
  sandbox = containersSandbox(join(ws.dir, 'containers'));
  fx = writeContentsFixture(join(ws.dir, 'layout'));
  data = ws.fresh();
  berth = await ws.serve(data);
  await pushLayout(sandbox, fx.dir, 'base', `${berth.host}/team/app:base`);
  await pushLayout(sandbox, fx.dir, 'multi', `${berth.host}/team/app:multi`);
}, 90_000);
afterAll(() => sandbox?.cleanup());

async function readAll(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(c);
  return Buffer.concat(out);
}

/** Reads the base image's manifest and its zstd layer through withImages. */
async function readBase(): Promise<{ label: string; digest: string; layer: string }> {
  return withImages(['team/app:base'], { data }, async ({ images, cachePath }) => {
    expect(cachePath).toBe(join(data, 'berth', 'layer-listings.db'));
    const { reader, reference } = images[0]!;
    const m = (await reader.manifest(reference))!;
    expect(sha256(m.body)).toBe(m.digest);
    const layerDigest = (JSON.parse(m.body.toString()) as { layers: { digest: string }[] }).layers[1]!.digest;
    const blob = (await reader.blob(layerDigest))!;
    expect(blob.size).toBe(fx.base.layers[1]!.size);
    return { label: reader.label, digest: m.digest, layer: sha256(await readAll(blob.chunks)) };
  });
}

describe('local readers', () => {
  it('reads through the running server', async () => {
    const got = await readBase();
    expect(got.label).toBe('local team/app');
    expect(got.layer).toBe(fx.base.layers[1]!.digest);
  });

  it('answers the read routes only with the token, and missing things as envelopes', async () => {
    const ctl = readControlFile(data)!;
    const auth = { Authorization: `Bearer ${ctl.token}` };
    expect((await fetch(`${ctl.url}/read/team/app/manifests/base`)).status).toBe(401);
    const missing = await fetch(`${ctl.url}/read/team/app/manifests/nope`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(JSON.parse(await missing.text())).toMatchObject({ ok: false, error: { code: 'MANIFEST_UNKNOWN' } });
    const blob = await fetch(`${ctl.url}/read/team/app/blobs/sha256:${'0'.repeat(64)}`, { headers: auth });
    expect(blob.status).toBe(404);
    await blob.arrayBuffer();
    const bad = await fetch(`${ctl.url}/read/team/app/blobs/..%2F..%2Fetc`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(JSON.parse(await bad.text()).error.code).toBe('DIGEST_INVALID');
    const post = await fetch(`${ctl.url}/read/team/app/manifests/base`, { method: 'POST', headers: auth });
    expect(post.status).toBe(405);
    await post.arrayBuffer();
  });

  it('says when the server refuses the token, and refuses references that are not tags or digests', async () => {
    const ctl = readControlFile(data)!;
    await expect(controlReader({ ...ctl, token: 'wrong' }, 'team/app').manifest('base')).rejects.toThrow('refused the token in control.json');
    const reader = controlReader(ctl, 'team/app');
    await expect(reader.manifest('../../invoke/gc:run')).rejects.toThrow('is not a tag or digest');
    await expect(reader.blob('sha256:../x')).rejects.toThrow('is not a digest');
    expect(await reader.blob(`sha256:${'1'.repeat(64)}`)).toBeNull();
  });

  it('says which tag is missing', async () => {
    await expect(withImages(['team/app:v9'], { data }, async () => 0)).rejects.toThrow('local team/app has no tag v9');
  });

  it('reads in-process when no server owns the data directory', async () => {
    const before = await readBase();
    await berth.stop();
    expect(readControlFile(data)).toBeNull();
    const after = await readBase();
    expect(after).toEqual(before);
    await expect(withImages(['team/none:1'], { data }, async () => 0)).rejects.toThrow('local team/none has no tag 1');
  });
});
