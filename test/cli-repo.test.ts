/**
 * `berth repo rm` against a real `berth serve`: the repository leaves the running registry at once,
 * its blobs wait for `berth gc` (which keeps the ones another repository shares); refusals are one
 * line.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth, type RunningBerth } from './helpers/berth-server';
import { pushBlob, pushManifest, pushRandomImage } from './helpers/push';

const ws = berthWorkspace('berth-cli-repo-');
let b: RunningBerth;

beforeAll(async () => {
  b = await ws.serve(ws.fresh());
});

const blobFile = (dataDir: string, digest: string) => {
  const hex = digest.slice('sha256:'.length);
  return join(dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
};
const json = async (url: string) => (await fetch(url)).json();

describe('berth repo rm with a running server', () => {
  it('removes the repository at once into the trash; once the trash lets go, gc frees what only it held, shared blobs stay', async () => {
    const dataDir = b.dataDir;
    const base = b.url;
    const v1 = await pushRandomImage(base, 'team/app', 'v1', [2048]);
    await pushRandomImage(base, 'team/app', 'v2', [2048]);
    const keep = await pushRandomImage(base, 'team/keep', 'v1', [2048]);
    // A layer both repositories hold.
    const shared = await pushBlob(base, 'team/app', Buffer.from('shared layer'));
    await pushBlob(base, 'team/keep', Buffer.from('shared layer'));
    const config = await pushBlob(base, 'team/app', Buffer.from('{"os":"linux","architecture":"arm64"}'));
    await pushBlob(base, 'team/keep', Buffer.from('{"os":"linux","architecture":"arm64"}'));
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 37 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: shared, size: 12 }],
    };
    await pushManifest(base, 'team/app', 'shared', manifest);
    await pushManifest(base, 'team/keep', 'shared', manifest);

    const r = await runBerth(['repo', 'rm', 'team/app', '--yes', '--data', dataDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^deleted repository team\/app: 3 tags, 3 manifests\.\nIt went to the trash: restore it with `berth trash restore team\/app:TAG` \(see `berth trash list`\) until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; `berth gc` frees its space only after the trash lets go \(or after `berth trash empty`\)\n$/,
    );

    expect((await json(`${base}/v2/_catalog`)).repositories).toEqual(['team/keep']);
    expect((await fetch(`${base}/v2/team/app/manifests/v1`)).status).toBe(404);
    expect((await fetch(`${base}/v2/team/app/tags/list`)).status).toBe(404);
    expect((await fetch(`${base}/v2/team/keep/manifests/v1`)).status).toBe(200);
    expect((await fetch(`${base}/v2/team/keep/manifests/shared`)).status).toBe(200);
    // Until gc, the blobs are still on disk.
    const appOnly = [v1.manifest.layers[0]!.digest, v1.manifest.config.digest];
    for (const d of [...appOnly, shared]) expect(existsSync(blobFile(dataDir, d))).toBe(true);

    // The trash holds them back from a collection until it lets them go.
    expect((await runBerth(['gc', '--data', dataDir])).code).toBe(0);
    for (const d of appOnly) expect(existsSync(blobFile(dataDir, d))).toBe(true);
    expect((await runBerth(['trash', 'empty', '--data', dataDir])).stdout).toMatch(/^removed 3 items from the trash; /);

    const gc = await runBerth(['gc', '--data', dataDir]);
    expect(gc.code).toBe(0);
    for (const d of appOnly) expect(existsSync(blobFile(dataDir, d))).toBe(false);
    for (const d of [shared, config, keep.manifest.layers[0]!.digest]) expect(existsSync(blobFile(dataDir, d))).toBe(true);
    expect((await fetch(`${base}/v2/team/keep/blobs/${shared}`)).status).toBe(200);
  });

  it('removes a repository and leaves the repositories below it (team, not team/app), also after a restart', async () => {
    const dataDir = ws.fresh();
    const own = await ws.serve(dataDir);
    await pushRandomImage(own.url, 'team', 'v1', [1024]);
    const below = await pushRandomImage(own.url, 'team/app', 'v1', [1024]);
    // Holds only repositories below it: not a repository itself.
    expect((await runBerth(['repo', 'rm', '--yes', 'org', '--data', dataDir])).code).toBe(1);
    await pushRandomImage(own.url, 'org/app', 'v1', [1024]);
    expect((await runBerth(['repo', 'rm', '--yes', 'org', '--data', dataDir])).code).toBe(1);

    expect((await runBerth(['repo', 'rm', '--yes', 'team', '--data', dataDir])).code).toBe(0);
    await own.stop();
    const again = await ws.serve(dataDir);
    expect(((await json(`${again.url}/v2/_catalog`)) as { repositories: string[] }).repositories).toEqual(['org/app', 'team/app']);
    const m = await fetch(`${again.url}/v2/team/app/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(m.headers.get('docker-content-digest')).toBe(below.digest);
    expect((await fetch(`${again.url}/v2/team/manifests/v1`)).status).toBe(404);
  });

  it('an unknown repository is one line, exit 1', async () => {
    const r = await runBerth(['repo', 'rm', 'no/such', '--yes', '--data', b.dataDir]);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'berth: unknown repository no/such\n' });
  });

  it('an invalid name is one line, exit 1', async () => {
    const r = await runBerth(['repo', 'rm', 'Bad/NAME', '--yes', '--data', b.dataDir]);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'berth: invalid repository name "Bad/NAME"\n' });
  });

  it('without --yes and no terminal it refuses, and deletes nothing', async () => {
    await pushRandomImage(b.url, 'asked', 'v1');
    const r = await runBerth(['repo', 'rm', 'asked', '--data', b.dataDir], { input: 'y\n' });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'berth: refusing to delete repository asked without --yes (stdin is not a terminal)\n' });
    expect((await json(`${b.url}/v2/_catalog`)).repositories).toContain('asked');
  });
});

describe('berth repo rm with deletes disabled', () => {
  it('is refused in one line, by the server and in-process', async () => {
    const dataDir = ws.fresh('nodelete');
    const config = join(ws.dir, 'nodelete.yml');
    writeFileSync(config, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dataDir}\n  delete:\n    enabled: false\n`);
    const s = await ws.serve(dataDir, ['--config', config, '--auth', 'none']);
    await pushRandomImage(s.url, 'team/app', 'v1');
    const msg = 'berth: deletes are disabled (storage.delete.enabled)\n';
    expect(await runBerth(['repo', 'rm', 'team/app', '--yes', '--config', config])).toEqual({ code: 1, stdout: '', stderr: msg });
    await s.stop();
    expect(await runBerth(['repo', 'rm', 'team/app', '--yes', '--config', config])).toEqual({ code: 1, stdout: '', stderr: msg });
    const again = await ws.serve(dataDir, ['--config', config, '--auth', 'none']);
    expect((await json(`${again.url}/v2/_catalog`)).repositories).toEqual(['team/app']);
    await again.stop();
  });
});
