/**
 * A real client through the Docker token flow: skopeo gets the Bearer challenge, asks Berth's
 * /token with its credentials for the challenged scopes, and pushes and pulls with the token; what
 * the rights forbid fails, whatever the client tries.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/berth-server';
import { containersSandbox, digestOf, ToolError, writeOciLayout, type ContainersSandbox } from '../helpers/images';
import { type AuthRegistry, startAuthRegistry } from './auth-server';

const USERS = { admin: 'admin-pw', puller: 'puller-pw', pusher: 'pusher-pw' };
const ACCESS = `users:
  admin: "admin@*"
  puller: "pull@team/*"
  pusher: "push@team/*"
anonymous: "pull@public/*"
`;

let tmp: ReturnType<typeof tempDir>;
let reg: AuthRegistry;
let sandbox: ContainersSandbox;
let layoutDir: string;
let topDigest: string;

const host = () => `127.0.0.1:${reg.port}`;
const skopeo = (args: string[]) => sandbox.skopeo(args);
/** The error skopeo exits with (throws when it succeeds). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ToolError);
    return (err as Error).message;
  }
  throw new Error('expected skopeo to fail');
}
const creds = (user: keyof typeof USERS, flag = '--creds') => [flag, `${user}:${USERS[user]}`];
const inspect = (ref: string, auth: string[]) => skopeo(['inspect', '--raw', '--tls-verify=false', ...auth, `docker://${host()}/${ref}`]);
const push = (ref: string, auth: string[]) =>
  skopeo(['copy', '--quiet', '--dest-tls-verify=false', ...auth, `oci:${layoutDir}:latest`, `docker://${host()}/${ref}`]);

beforeAll(async () => {
  tmp = tempDir('berth-token-skopeo-');
  reg = await startAuthRegistry({ mode: 'token', users: USERS, accessYaml: ACCESS });
  sandbox = containersSandbox(join(tmp.dir, 'containers'));
  layoutDir = join(tmp.dir, 'layout');
  topDigest = writeOciLayout(layoutDir).top.digest;
});

afterAll(async () => {
  await reg?.close();
  sandbox?.cleanup();
  tmp?.cleanup();
});

describe('skopeo with token auth', () => {
  it('pushes with a push right and pulls with a pull right, by token', async () => {
    await push('team/app:v1', creds('pusher', '--dest-creds'));
    const raw = (await inspect('team/app:v1', creds('puller'))).stdout;
    expect(digestOf(raw)).toBe(topDigest);
  });

  it('refuses a push with only a pull right, a wrong password, and anonymous access outside the public rules', async () => {
    const denied = await failure(push('team/app:v2', creds('puller', '--dest-creds')));
    expect(denied).toMatch(/denied/i);
    expect(await failure(inspect('team/app:v1', ['--creds', 'puller:wrong']))).toMatch(/unauthorized|authentication required|invalid username\/password/i);
    expect(await failure(inspect('team/app:v1', ['--no-creds']))).toMatch(/unauthorized|authentication required/i);
    const tags = await reg.services.registry.tags('team/app', 100);
    expect(tags).toEqual(['v1']);
  });

  it('pulls a public repository anonymously', async () => {
    await push('public/app:v1', creds('admin', '--dest-creds'));
    expect(digestOf((await inspect('public/app:v1', ['--no-creds'])).stdout)).toBe(topDigest);
    expect(await failure(push('public/app:v2', ['--dest-no-creds']))).toMatch(/unauthorized|authentication required|denied/i);
  });
});
