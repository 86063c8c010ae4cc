/**
 * `berth files|extract|diff` on remote registries: registry:2 with htpasswd auth (with --creds, and
 * through the saved connection of its host), and Berth with token auth; wrong credentials, no
 * credentials and a missing repository are said in words with a non-zero exit.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openAppDatabase } from '../../src-server/connections/app-db';
import { ConnectionSecrets } from '../../src-server/connections/bound-secrets';
import { defaultSecretsPath, FileSecretStore } from '../../src-server/connections/secret-store';
import { ConnectionStore } from '../../src-server/connections/store';
import { appDatabasePath } from '../../src-server/contents/saved-connection';
import type { ImageDiff, ImageFiles, ImageLayers } from '../../src-server/contract/contents';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { checkBaseListing, pushLayout, writeContentsFixture, type ContentsFixture } from '../helpers/contents-images';
import { containersSandbox } from '../helpers/images';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { startTlsRegistry2, type TlsRegistry2 } from '../helpers/registry2-tls';
import { afterAll } from 'vitest';

const ws = berthWorkspace('berth-cli-remote-');
const R2_CREDS = 'carol:carol-pw-42';
const BERTH_CREDS = { user: 'dave', password: 'dave-token-pw' };
let fx: ContentsFixture;
let r2: RunningRegistry2;
/** registry:2 over TLS on the same storage as r2. */
let r2tls: TlsRegistry2;
let berth: RunningBerth;
/** A data directory for the CLI with no server (its saved connections and listing cache). */
let cliData: string;

beforeAll(async () => {
  const sandbox = containersSandbox(join(ws.dir, 'containers'));
  fx = writeContentsFixture(join(ws.dir, 'layout'));
  const [user, pw] = R2_CREDS.split(':') as [string, string];
  writeFileSync(join(ws.dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', '-C', '5', user, pw]));
  r2 = await startRegistry2(join(ws.dir, 'r2'), ws.dir, { htpasswd: join(ws.dir, 'htpasswd') });
  const berthData = ws.fresh();
  const add = await runBerth(['user', 'add', BERTH_CREDS.user, '--data', berthData, '--password-stdin', '--access', 'admin@*'], { input: `${BERTH_CREDS.password}\n` });
  if (add.code !== 0) throw new Error(add.stderr);
  berth = await ws.serve(berthData, ['--auth', 'token']);
  cliData = ws.fresh();
  execFileSync('mkdir', ['-p', cliData]);
  try {
    for (const tag of ['base', 'v2', 'multi']) {
      await pushLayout(sandbox, fx.dir, tag, `${r2.host}/team/app:${tag}`, R2_CREDS);
      await pushLayout(sandbox, fx.dir, tag, `${berth.host}/team/app:${tag}`, `${BERTH_CREDS.user}:${BERTH_CREDS.password}`);
    }
  } finally {
    sandbox.cleanup();
  }
  r2tls = await startTlsRegistry2(ws.dir, join(ws.dir, 'r2'), join(ws.dir, 'htpasswd'));
}, 120_000);
afterAll(async () => {
  await r2?.stop();
  await r2tls?.stop();
});

async function cli(args: string[]) {
  return runBerth([...args, '--data', cliData]);
}

async function json<T>(args: string[]): Promise<T> {
  const r = await cli([...args, '--json']);
  if (r.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe('registry:2 with htpasswd auth', () => {
  const remote = ['--creds', R2_CREDS, '--tls-verify=false'];

  it('lists, layers, extracts and diffs with --creds', async () => {
    const f = await json<ImageFiles>(['files', `${r2.host}/team/app:base`, ...remote]);
    checkBaseListing(f.entries);
    const l = await json<ImageLayers>(['files', `${r2.host}/team/app:base`, '--layers', ...remote]);
    expect(l.layers[0]!.wasted).toBe(1034);
    const out = join(ws.dir, 'out-r2');
    const x = await cli(['extract', `${r2.host}/team/app:base`, '/etc/motd', '--out', out, ...remote]);
    expect(x.code).toBe(0);
    expect(readFileSync(join(out, 'etc/motd'), 'utf8')).toBe('changed motd\n');
    const d = await json<ImageDiff>(['diff', `${r2.host}/team/app:base`, `${r2.host}/team/app:v2`, ...remote]);
    expect(d.layers.shared.map((s) => s.digest)).toEqual([fx.base.layers[0]!.digest]);
    const arm = await json<ImageFiles>(['files', `${r2.host}/team/app:multi`, '--platform', 'linux/arm64/v8', ...remote]);
    expect(arm.entries.map((e) => e.path)).toContain('only-arm');
  });

  it('reads over TLS with --ca FILE, and says what to do about an untrusted certificate', async () => {
    const f = await json<ImageFiles>(['files', `${r2tls.host}/team/app:base`, '--creds', R2_CREDS, '--ca', r2tls.caFile]);
    checkBaseListing(f.entries);
    const any = await json<ImageFiles>(['files', `${r2tls.host}/team/app:base`, '--creds', R2_CREDS, '--tls-verify', 'false']);
    expect(any.digest).toBe(f.digest);
    const untrusted = await cli(['files', `${r2tls.host}/team/app:base`, '--creds', R2_CREDS]);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(/is not trusted .*give its CA with --ca FILE, or skip the check with --tls-verify=false/);
  });

  it('says what was refused, whether credentials were sent, and how to give them', async () => {
    const none = await cli(['files', `${r2.host}/team/app:base`, '--tls-verify=false']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/requires credentials to read .*no credentials sent.*give them with --creds USER:PASS/);
    const wrong = await cli(['files', `${r2.host}/team/app:base`, '--tls-verify=false', '--creds', 'carol:nope']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/refused the credentials given with --creds/);
    const tag = await cli(['files', `${r2.host}/team/app:v9`, ...remote]);
    expect(tag.code).not.toBe(0);
    expect(tag.stderr).toMatch(/team\/app has no tag v9; its tags: /);
    const repo = await cli(['files', `${r2.host}/team/none:v1`, ...remote]);
    expect(repo.code).not.toBe(0);
    expect(repo.stderr).toContain(`${r2.host} has no repository team/none`);
  });

  it("uses the saved connection of the host (its URL and password) without --creds", async () => {
    const db = openAppDatabase(appDatabasePath(cliData));
    const id = randomUUID();
    new ConnectionStore(db).insert({
      id, name: 'r2 here', kind: 'registry', url: r2.url, username: 'carol', trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: new Date().toISOString(),
    });
    db.close();
    await new ConnectionSecrets(new FileSecretStore(defaultSecretsPath(cliData))).set(id, r2.url, R2_CREDS.split(':')[1]!);
    const f = await json<ImageFiles>(['files', `${r2.host}/team/app:base`]);
    checkBaseListing(f.entries);
  });
});

describe('Berth with token auth', () => {
  it('lists and diffs with --creds through the token flow', async () => {
    const remote = ['--creds', `${BERTH_CREDS.user}:${BERTH_CREDS.password}`, '--tls-verify=false'];
    const f = await json<ImageFiles>(['files', `${berth.host}/team/app:base`, ...remote]);
    checkBaseListing(f.entries);
    // Across two registries: Berth with --creds, registry:2 through the connection saved above.
    const d = await json<ImageDiff>(['diff', `${berth.host}/team/app:base`, `${r2.host}/team/app:v2`, ...remote]);
    expect(d.files.find((x) => x.path === 'srv/added.txt')?.kind).toBe('added');
    const wrong = await cli(['files', `${berth.host}/team/app:base`, '--tls-verify=false', '--creds', 'dave:nope']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/refused|denied/);
  });
});
