/**
 * Bearer tokens are bound to their user's credentials: `berth user passwd` (a CLI process beside the
 * running server) ends the user's live tokens, and so do `user rm` + `user add` of the same name;
 * other users' tokens and anonymous tokens live on.
 */
import { describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { basicHeader, parseChallenge } from './auth-server';

const ws = berthWorkspace('berth-token-creds-');

async function berthCli(args: string[], input?: string): Promise<void> {
  const r = await runBerth(args, { input });
  if (r.code !== 0) throw new Error(`berth ${args.join(' ')}: ${r.code}\n${r.stderr}`);
}

/** GET /token as a client does after the challenge; the answer's status and token. */
async function tokenFor(berth: RunningBerth, creds: { user: string; password: string } | null, scope: string) {
  const q = new URLSearchParams({ service: 'berth', scope });
  const res = await fetch(`${berth.url}/token?${q}`, { headers: creds ? { Authorization: basicHeader(creds.user, creds.password) } : {} });
  const body = (await res.json()) as { token?: string };
  return { status: res.status, token: body.token ?? '' };
}

async function withToken(berth: RunningBerth, token: string, path: string) {
  const res = await fetch(`${berth.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return { status: res.status, challenge: parseChallenge(res.headers.get('www-authenticate') ?? undefined) };
}

/**
 * Waits until the server accepts the new password: then it has read the changed htpasswd file (it
 * looks at most once a second), and from that moment on the old tokens must be refused.
 */
async function untilLoginWorks(berth: RunningBerth, creds: { user: string; password: string }): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await tokenFor(berth, creds, 'repository:team/app:pull')).status !== 200) {
    if (Date.now() > deadline) throw new Error(`the server never accepted ${creds.user}'s new password`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('tokens tied to the credential version of their user', () => {
  it('stops honouring a token after berth user passwd, and after user rm + user add of the same name', async () => {
    const dir = ws.fresh();
    const alice = { user: 'alice', password: 'alice-first-pw' };
    const bob = { user: 'bob', password: 'bob-secret-pw' };
    await berthCli(['user', 'add', alice.user, '--data', dir, '--password-stdin', '--access', 'pull@*'], `${alice.password}\n`);
    await berthCli(['user', 'add', bob.user, '--data', dir, '--password-stdin', '--access', 'pull@*'], `${bob.password}\n`);
    await berthCli(['user', 'anonymous', 'pull@public/*', '--data', dir]);
    const berth = await ws.serve(dir, ['--auth', 'token']);

    const first = await tokenFor(berth, alice, 'repository:team/app:pull');
    expect(first.status).toBe(200);
    const bobs = (await tokenFor(berth, bob, 'repository:team/app:pull')).token;
    const anonymous = (await tokenFor(berth, null, 'repository:public/app:pull')).token;
    // Allowed (404: the repository is empty) with each token.
    expect((await withToken(berth, first.token, '/v2/team/app/tags/list')).status).toBe(404);
    expect((await withToken(berth, anonymous, '/v2/public/app/tags/list')).status).toBe(404);

    const changed = { ...alice, password: 'alice-second-pw' };
    await berthCli(['user', 'passwd', alice.user, '--data', dir, '--password-stdin'], `${changed.password}\n`);
    await untilLoginWorks(berth, changed);
    const refused = await withToken(berth, first.token, '/v2/team/app/tags/list');
    expect(refused.status).toBe(401);
    expect(refused.challenge?.params.error).toBe('invalid_token');
    // Another user's token and the anonymous one are not affected.
    expect((await withToken(berth, bobs, '/v2/team/app/tags/list')).status).toBe(404);
    expect((await withToken(berth, anonymous, '/v2/public/app/tags/list')).status).toBe(404);

    const second = (await tokenFor(berth, changed, 'repository:team/app:pull')).token;
    expect((await withToken(berth, second, '/v2/team/app/tags/list')).status).toBe(404);
    await berthCli(['user', 'rm', alice.user, '--data', dir]);
    const again = { ...alice, password: 'alice-third-pw' };
    await berthCli(['user', 'add', alice.user, '--data', dir, '--password-stdin', '--access', 'pull@*'], `${again.password}\n`);
    await untilLoginWorks(berth, again);
    const gone = await withToken(berth, second, '/v2/team/app/tags/list');
    expect(gone.status).toBe(401);
    expect(gone.challenge?.params.error).toBe('invalid_token');
    expect((await withToken(berth, (await tokenFor(berth, again, 'repository:team/app:pull')).token, '/v2/team/app/tags/list')).status).toBe(404);
  });
});
