/**
 * Anonymous pulls with the real clients. After a Basic challenge, podman, skopeo and buildah without
 * credentials (`--no-creds`, or an empty auth file) send `Authorization: Basic Og==`: an empty user
 * name and password. Berth takes that as anonymous: the anonymous rights apply, nothing is counted
 * toward the failure throttle and no failed login is logged.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, digestOf, ToolError, writeOciLayout, type ContainersSandbox } from '../helpers/images';

const ws = berthWorkspace('berth-anon-clients-');
let berth: RunningBerth;
let sandbox: ContainersSandbox;
let topDigest: string;
const PUSHER = { user: 'pusher', password: 'pusher-secret-pw' };

async function berthCli(args: string[], input?: string): Promise<void> {
  const r = await runBerth(args, { input });
  if (r.code !== 0) throw new Error(`berth ${args.join(' ')}: ${r.code}\n${r.stderr}`);
}

/** What the client printed when it failed (throws when it succeeded). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ToolError);
    return (err as ToolError).stderr;
  }
  throw new Error('expected the client to fail');
}

beforeAll(async () => {
  const dir = ws.fresh();
  await berthCli(['user', 'add', PUSHER.user, '--data', dir, '--password-stdin', '--access', 'push@*'], `${PUSHER.password}\n`);
  await berthCli(['user', 'anonymous', 'pull@public/*', '--data', dir]);
  berth = await ws.serve(dir, ['--auth', 'basic']);
  // The sandbox's REGISTRY_AUTH_FILE is `{}`: the clients have no credentials for this registry.
  sandbox = containersSandbox(join(ws.dir, 'containers'));
  const layout = join(ws.dir, 'layout');
  topDigest = writeOciLayout(layout).top.digest;
  for (const repo of ['public/app', 'private/app']) {
    await sandbox.skopeo([
      'copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', `${PUSHER.user}:${PUSHER.password}`,
      `oci:${layout}:latest`, `docker://${berth.host}/${repo}:v1`,
    ]);
  }
});

afterAll(() => sandbox?.cleanup());

describe('anonymous pulls with empty Basic credentials (berth user anonymous pull@public/*)', () => {
  it('skopeo pulls with --no-creds and --src-no-creds', async () => {
    const raw = await sandbox.skopeo(['inspect', '--raw', '--tls-verify=false', '--no-creds', `docker://${berth.host}/public/app:v1`]);
    expect(digestOf(raw.stdout)).toBe(topDigest);
    const out = join(ws.dir, 'skopeo-pulled');
    await sandbox.skopeo(['copy', '--quiet', '--src-tls-verify=false', '--src-no-creds', `docker://${berth.host}/public/app:v1`, `dir:${out}`]);
  });

  it('podman pulls with an empty auth file', async () => {
    await sandbox.podman(['pull', '--quiet', '--tls-verify=false', `${berth.host}/public/app:v1`], {}, 'pull');
    const digest = (await sandbox.podman(['image', 'inspect', '--format', '{{.Digest}}', `${berth.host}/public/app:v1`], {}, 'pull')).stdout.trim();
    expect(digest).toBe(topDigest);
  });

  it('buildah pulls with an empty auth file', async () => {
    await sandbox.buildah(['pull', '--quiet', '--tls-verify=false', `${berth.host}/public/app:v1`]);
    const digest = (await sandbox.buildah(['inspect', '--type', 'image', '--format', '{{.FromImageDigest}}', `${berth.host}/public/app:v1`])).stdout.trim();
    expect(digest).toBe(topDigest);
  });

  it('still asks anonymous clients to log in outside the anonymous rights, and never counts or logs them as failed logins', async () => {
    // More anonymous refusals than the throttle allows failures: none of them may lead to a 429.
    for (let i = 0; i < 12; i++) {
      const err = await failure(sandbox.skopeo(['inspect', '--raw', '--tls-verify=false', '--no-creds', `docker://${berth.host}/private/app:v1`]));
      expect(err).toMatch(/unauthorized|authentication required/i);
      expect(err).not.toMatch(/too many|429/i);
    }
    const raw = await sandbox.skopeo(['inspect', '--raw', '--tls-verify=false', '--no-creds', `docker://${berth.host}/public/app:v1`]);
    expect(digestOf(raw.stdout)).toBe(topDigest);
    expect(berth.output()).not.toMatch(/failed login/);
  });
});
