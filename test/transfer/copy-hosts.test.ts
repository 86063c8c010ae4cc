/**
 * `berth copy` with a registry host on either side: registry:2 behind htpasswd, its credentials
 * given as skopeo takes them (`--src-creds`, `--dest-creds`, `--tls-verify=false` for plain http),
 * and refusals that name the host and say what is wrong. Everything stays on loopback.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { freePort, startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { pushRandomImage, type PushedImage } from '../helpers/push';

const USER = 'syncer';
const PASSWORD = 'correct-horse-battery';
const ws = berthWorkspace('berth-copy-hosts-');
let r2: RunningRegistry2;
let b: RunningBerth;
let image: PushedImage;
const auth = () => ({ Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` });

beforeAll(async () => {
  const dir = join(ws.dir, 'r2');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', '-C', '5', USER, PASSWORD]));
  r2 = await startRegistry2(join(dir, 'data'), dir, { htpasswd: join(dir, 'htpasswd') });
  b = await ws.serve(ws.fresh());
  image = await pushRandomImage(b.url, 'team/app', 'v1', [3000]);
}, 60_000);

afterAll(async () => {
  await r2?.stop();
});

describe('berth copy with registry hosts', () => {
  it('copies the local registry to a registry:2 with htpasswd and back from it into an archive, digests equal', async () => {
    const up = await runBerth(['copy', 'team/app:v1', `docker://${r2.host}/mirror/app:v1`, '--dest-creds', `${USER}:${PASSWORD}`, '--dest-tls-verify=false', '--data', b.dataDir, '--json']);
    expect(up.stderr).not.toMatch(/\n\s+at /);
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ digest: image.digest, target: `${r2.host}/mirror/app:v1` });
    const head = await fetch(`${r2.url}/v2/mirror/app/manifests/v1`, { method: 'HEAD', headers: { ...auth(), Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(head.headers.get('docker-content-digest')).toBe(image.digest);

    const archive = join(ws.dir, 'from-r2.tar');
    const down = await runBerth(['copy', `${r2.host}/mirror/app:v1`, `oci-archive:${archive}:v1`, '--src-creds', `${USER}:${PASSWORD}`, '--src-tls-verify', 'false', '--data', b.dataDir, '--json']);
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout).digest).toBe(image.digest);
  }, 120_000);

  it('names the host when the password is wrong, and when nothing listens', async () => {
    const wrong = await runBerth(['copy', `${r2.host}/mirror/app:v1`, `oci:${join(ws.dir, 'never')}:v1`, '--src-creds', `${USER}:wrong-password-here`, '--src-tls-verify=false', '--data', b.dataDir]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(r2.host);
    expect(wrong.stderr).toMatch(/refused|password|credentials|unauthorized/i);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
    const closed = `127.0.0.1:${await freePort()}`;
    const gone = await runBerth(['copy', `${closed}/app:v1`, `oci:${join(ws.dir, 'never')}:v1`, '--src-tls-verify=false', '--data', b.dataDir]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(closed);
    expect(gone.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
