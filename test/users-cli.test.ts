import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessFile } from '../src-server/auth/access-file';
import { formatRules } from '../src-server/auth/rules';
import { runBerth, startBerth, tempDir, type RunningBerth } from './helpers/berth-server';
import { containersSandbox, writeOciLayout } from './helpers/images';

// The real `berth init` and `berth user ...` commands on real files: what they print, what they
// write (checked with Apache's own `htpasswd -vb`), how they fail, and a running `berth serve`
// taking their changes without a restart.

let tmp: ReturnType<typeof tempDir>;
let n = 0;
/** A new, empty data directory. */
const freshData = () => join(tmp.dir, `data-${++n}`);
const files = (data: string) => ({ htpasswd: join(data, 'berth', 'htpasswd'), access: join(data, 'berth', 'access.yml') });

beforeAll(() => {
  tmp = tempDir('berth-users-cli-');
});
afterAll(() => tmp?.cleanup());

function apacheVerifies(file: string, user: string, password: string): boolean {
  return spawnSync('htpasswd', ['-vb', file, user, password], { stdio: 'ignore' }).status === 0;
}

/** Runs berth and expects success; returns stdout. */
async function ok(args: string[], input?: string): Promise<string> {
  const r = await runBerth(args, { input });
  expect(r.stderr, `berth ${args.join(' ')}`).toBe('');
  expect(r.code, `berth ${args.join(' ')}: ${r.stdout}`).toBe(0);
  return r.stdout;
}

/** Runs berth and expects a failure with one `berth: ...` line on stderr; returns that line. */
async function fails(args: string[], input?: string): Promise<string> {
  const r = await runBerth(args, { input });
  expect(r.code, `berth ${args.join(' ')} should fail: ${r.stdout}`).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^berth: /);
  return lines[0]!;
}

/** The `password: X` line's X. */
function shownPassword(stdout: string): string {
  const m = /^ {2}password: (\S+)$/m.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return m![1]!;
}

const listJson = async (data: string) =>
  JSON.parse(await ok(['user', 'list', '--json', '--data', data])) as {
    users: Array<{ name: string; rules: string; groups: string[]; hasPassword: boolean }>;
    anonymous: string;
    accessFileExists: boolean;
  };

describe('berth init', () => {
  it('creates admin, shows the password once, and leaves an existing setup alone unless --force', async () => {
    const data = freshData();
    const f = files(data);
    const out = await ok(['init', '--data', data]);
    const password = shownPassword(out);
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(out).toMatch(/^ {2}user: +admin$/m);
    expect(out).toContain(f.htpasswd);
    expect(out).toContain(f.access);
    expect(out).toContain('shown only this once and stored only as a bcrypt hash');
    expect(apacheVerifies(f.htpasswd, 'admin', password)).toBe(true);
    expect(readFileSync(f.access, 'utf8')).toMatch(/^ {2}admin: "admin@\*"$/m);
    for (const file of [f.htpasswd, f.access]) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).not.toContain(password);
    }

    const again = await ok(['init', '--data', data]);
    expect(again).toContain('Already set up');
    expect(again).not.toMatch(/password: /);
    expect(apacheVerifies(f.htpasswd, 'admin', password)).toBe(true);

    const forced = await ok(['init', '--force', '--data', data]);
    const second = shownPassword(forced);
    expect(second).not.toBe(password);
    expect(apacheVerifies(f.htpasswd, 'admin', second)).toBe(true);
    expect(apacheVerifies(f.htpasswd, 'admin', password)).toBe(false);
  });

  it('takes the data directory from BERTH_DATA and the htpasswd path from a registry:2 config', async () => {
    const data = freshData();
    const r = await runBerth(['init'], { env: { BERTH_DATA: data } });
    expect(r.code).toBe(0);
    expect(apacheVerifies(files(data).htpasswd, 'admin', shownPassword(r.stdout))).toBe(true);

    const data2 = freshData();
    const htpasswd = join(tmp.dir, `custom-htpasswd-${n}`);
    const config = join(tmp.dir, `config-${n}.yml`);
    writeFileSync(config, `auth:\n  htpasswd:\n    realm: test\n    path: ${htpasswd}\n`);
    await ok(['user', 'add', 'ci', '--password-stdin', '--data', data2, '--config', config], 'ci-secret-pw1\n');
    expect(apacheVerifies(htpasswd, 'ci', 'ci-secret-pw1')).toBe(true);
    expect(readFileSync(files(data2).access, 'utf8')).toMatch(/^ {2}ci: ""$/m);
  });
});

describe('berth user', () => {
  let data: string;
  let f: ReturnType<typeof files>;
  beforeAll(async () => {
    data = freshData();
    f = files(data);
    await ok(['init', '--data', data]);
  });

  it('add --password-stdin --access: takes the first line, stores the rights, prints no password', async () => {
    const out = await ok(['user', 'add', 'alice', '--password-stdin', '--access', 'pull@*,push@team/*', '--data', data], 'wonderland-rabbit\nsecond line\n');
    expect(out).toContain('Added user alice with pull@*,push@team/*.');
    expect(out).not.toContain('wonder');
    expect(out).not.toMatch(/password:/);
    expect(apacheVerifies(f.htpasswd, 'alice', 'wonderland-rabbit')).toBe(true);
    expect(readFileSync(f.access, 'utf8')).toMatch(/^ {2}alice: "pull@\*,push@team\/\*"$/m);
  });

  it('add without a password: generates one, shows it once; no rights by default, and says so', async () => {
    const out = await ok(['user', 'add', 'bob', '--data', data]);
    expect(out).toContain('Added user bob with no rights.');
    expect(out).toContain('berth user access bob RULES');
    const password = shownPassword(out);
    expect(apacheVerifies(f.htpasswd, 'bob', password)).toBe(true);
    expect(readFileSync(f.htpasswd, 'utf8')).not.toContain(password);
    expect((await listJson(data)).users.find((u) => u.name === 'bob')).toEqual({ name: 'bob', rules: '', groups: [], hasPassword: true });
  });

  it('refuses existing users, bad names, bad rules and an empty stdin password, changing nothing', async () => {
    const before = [readFileSync(f.htpasswd, 'utf8'), readFileSync(f.access, 'utf8')];
    expect(await fails(['user', 'add', 'alice', '--data', data])).toBe('berth: user alice already exists (change the password with `berth user passwd alice`)');
    expect(await fails(['user', 'add', 'a:b', '--data', data])).toContain("invalid user name \"a:b\": no ':'");
    expect(await fails(['user', 'add', 'anonymous', '--data', data])).toContain('reserved');
    expect(await fails(['user', 'add', 'carol', '--access', 'pull@*,fly@x', '--data', data])).toBe(
      'berth: invalid rights for carol: unknown right "fly" in "fly@x" (use pull, push, delete, admin)',
    );
    expect(await fails(['user', 'add', 'carol', '--password-stdin', '--data', data], '')).toContain('no password on standard input');
    expect([readFileSync(f.htpasswd, 'utf8'), readFileSync(f.access, 'utf8')]).toEqual(before);
  });

  it('add and passwd refuse a password shorter than 12 characters, saying the minimum, and write nothing', async () => {
    const before = [readFileSync(f.htpasswd, 'utf8'), readFileSync(f.access, 'utf8')];
    expect(await fails(['user', 'add', 'carol', '--password-stdin', '--data', data], 'abc\n')).toBe('berth: the password has 3 characters; use at least 12');
    expect(await fails(['user', 'passwd', 'alice', '--password-stdin', '--data', data], 'eleven-char\n')).toBe('berth: the password has 11 characters; use at least 12');
    expect([readFileSync(f.htpasswd, 'utf8'), readFileSync(f.access, 'utf8')]).toEqual(before);
    expect(apacheVerifies(f.htpasswd, 'alice', 'wonderland-rabbit')).toBe(true);
  });

  it('passwd: from stdin or generated; missing users refused', async () => {
    expect(await ok(['user', 'passwd', 'alice', '--password-stdin', '--data', data], 'looking glass door\n')).not.toContain('looking glass');
    expect(apacheVerifies(f.htpasswd, 'alice', 'looking glass door')).toBe(true);
    expect(apacheVerifies(f.htpasswd, 'alice', 'wonderland-rabbit')).toBe(false);
    const generated = shownPassword(await ok(['user', 'passwd', 'bob', '--data', data]));
    expect(apacheVerifies(f.htpasswd, 'bob', generated)).toBe(true);
    expect(await fails(['user', 'passwd', 'zed', '--password-stdin', '--data', data], 'zed-password-1\n')).toContain('no such user: zed');
  });

  it('access and anonymous: set, clear, and refuse bad rules and unknown users', async () => {
    expect(await ok(['user', 'access', 'bob', 'delete@team/*', '--data', data])).toContain('bob now has delete@team/*.');
    expect(await ok(['user', 'anonymous', 'pull@public/*', '--data', data])).toContain('Anonymous callers now have pull@public/*.');
    let listing = await listJson(data);
    expect(listing.users.find((u) => u.name === 'bob')!.rules).toBe('delete@team/*');
    expect(listing.anonymous).toBe('pull@public/*');

    const text = await ok(['user', 'list', '--data', data]);
    expect(text).toMatch(/^USER +RIGHTS$/m);
    expect(text).toMatch(/^admin +admin@\*$/m);
    expect(text).toMatch(/^alice +pull@\*,push@team\/\*$/m);
    expect(text).toMatch(/^bob +delete@team\/\*$/m);
    expect(text).toMatch(/^\(anonymous\) +pull@public\/\*$/m);

    expect(await ok(['user', 'anonymous', '', '--data', data])).toContain('Anonymous callers now have no rights.');
    expect(await ok(['user', 'access', 'bob', '', '--data', data])).toContain('bob now has no rights.');
    listing = await listJson(data);
    expect(listing.anonymous).toBe('');
    expect(listing.users.find((u) => u.name === 'bob')!.rules).toBe('');
    expect(await ok(['user', 'list', '--data', data])).toMatch(/^bob +\(none\)$/m);

    expect(await fails(['user', 'access', 'bob', 'pull@Team', '--data', data])).toBe('berth: invalid rights for bob: invalid repository pattern "Team" in "pull@Team"');
    expect(await fails(['user', 'anonymous', 'write@*', '--data', data])).toContain('unknown right "write"');
    expect(await fails(['user', 'access', 'zed', 'pull@*', '--data', data])).toContain('no such user: zed');
  });

  it('writes rights the server-side AccessFile picks up on its next check', async () => {
    let t = 0;
    const access = new AccessFile(f.access, { now: () => t });
    await ok(['user', 'access', 'alice', 'push@team/*,delete@team/*', '--data', data]);
    await ok(['user', 'anonymous', 'pull@public/*', '--data', data]);
    t += 1100;
    expect(formatRules(access.rulesFor('alice'))).toBe('push@team/*,delete@team/*');
    expect(formatRules(access.anonymousRules())).toBe('pull@public/*');
    await ok(['user', 'access', 'alice', 'pull@*,push@team/*', '--data', data]);
    await ok(['user', 'anonymous', '', '--data', data]);
    t += 1100;
    expect(formatRules(access.rulesFor('alice'))).toBe('pull@*,push@team/*');
    expect(access.anonymousRules()).toEqual([]);
  });

  it('rm: removes from both files; a missing user is an error', async () => {
    await ok(['user', 'add', 'temp', '--password-stdin', '--access', 'pull@*', '--data', data], 'temp-password-1\n');
    expect(await ok(['user', 'rm', 'temp', '--data', data])).toContain('Removed user temp.');
    expect(readFileSync(f.htpasswd, 'utf8')).not.toMatch(/^temp:/m);
    expect(readFileSync(f.access, 'utf8')).not.toMatch(/temp:/);
    expect(await fails(['user', 'rm', 'temp', '--data', data])).toBe('berth: no such user: temp');
  });

  it('refuses to remove the last admin or take admin@* from it, saying why, and changes nothing', async () => {
    const d = freshData();
    await ok(['init', '--data', d]);
    const before = [readFileSync(files(d).htpasswd, 'utf8'), readFileSync(files(d).access, 'utf8')];
    const why = "admin is the only user with admin@*, and the registry would have no administrator left; give another user admin@* first (berth user access NAME 'admin@*')";
    expect(await fails(['user', 'rm', 'admin', '--data', d])).toBe(`berth: cannot remove admin: ${why}`);
    expect(await fails(['user', 'access', 'admin', 'pull@*', '--data', d])).toBe(`berth: cannot change the rights of admin: ${why}`);
    expect([readFileSync(files(d).htpasswd, 'utf8'), readFileSync(files(d).access, 'utf8')]).toEqual(before);
    // With a second admin, the first may go.
    await ok(['user', 'add', 'root2', '--password-stdin', '--access', 'admin@*', '--data', d], 'root2-password\n');
    expect(await ok(['user', 'rm', 'admin', '--data', d])).toContain('Removed user admin.');
  });

  it('reports a broken access file in one line naming it', async () => {
    const d = freshData();
    mkdirSync(join(d, 'berth'), { recursive: true });
    writeFileSync(files(d).access, 'users:\n  a: nope\n');
    expect(await fails(['user', 'list', '--data', d])).toBe(`berth: access file ${files(d).access}: users.a: unknown right "nope" in "nope" (use pull, push, delete, admin)`);
  });

  it('lists a registry:2 setup (no access file) as everyone with every right', async () => {
    const d = freshData();
    mkdirSync(join(d, 'berth'), { recursive: true });
    expect(spawnSync('htpasswd', ['-cbB', files(d).htpasswd, 'legacy', 'pw']).status).toBe(0);
    const text = await ok(['user', 'list', '--data', d]);
    expect(text).toContain('no access file');
    expect(text).toMatch(/^legacy +admin@\*$/m);
    expect((await listJson(d)).accessFileExists).toBe(false);
  });
});

describe('berth group', () => {
  let data: string;
  let f: ReturnType<typeof files>;
  beforeAll(async () => {
    data = freshData();
    f = files(data);
    await ok(['init', '--data', data]);
  });
  const groupsJson = async () =>
    JSON.parse(await ok(['group', 'list', '--json', '--data', data])) as { groups: Array<{ name: string; rules: string; members: string[] }> };

  it('add, list, access and members: per user at add or later; user list shows them', async () => {
    expect(await ok(['group', 'list', '--data', data])).toBe('No groups. Add one with: berth group add NAME --access RULES\n');
    expect(await groupsJson()).toEqual({ groups: [] });
    expect(await ok(['group', 'add', 'ci', '--access', 'push@ci/*', '--data', data])).toBe('Added group ci with push@ci/*.\nPut users in it with: berth user groups NAME ci\n');
    expect(await ok(['group', 'add', 'ops', '--data', data])).toContain('Added group ops with no rights.');
    expect(await ok(['group', 'access', 'ops', 'delete@*', '--data', data])).toBe('Group ops now has delete@*.\n');
    expect(await ok(['user', 'add', 'gina', '--password-stdin', '--access', 'pull@*', '--groups', 'ci,ops', '--data', data], 'gina-password\n')).toContain(
      'Added user gina with pull@*, in the groups ci and ops.',
    );
    await ok(['user', 'add', 'hal', '--password-stdin', '--data', data], 'hal-password-1\n');
    expect(await ok(['user', 'groups', 'hal', 'ci', '--data', data])).toBe('hal is now in the groups ci.\n');
    expect(await ok(['user', 'access', 'hal', 'pull@x', '--data', data])).toBe('hal now has pull@x, plus the rights of the groups ci.\n');

    expect(await groupsJson()).toEqual({
      groups: [
        { name: 'ci', rules: 'push@ci/*', members: ['gina', 'hal'] },
        { name: 'ops', rules: 'delete@*', members: ['gina'] },
      ],
    });
    const table = await ok(['group', 'list', '--data', data]);
    expect(table).toMatch(/^GROUP +RIGHTS +MEMBERS$/m);
    expect(table).toMatch(/^ci +push@ci\/\* +gina,hal$/m);
    expect(table).toMatch(/^ops +delete@\* +gina$/m);
    const users = await ok(['user', 'list', '--data', data]);
    expect(users).toMatch(/^USER +RIGHTS +GROUPS$/m);
    expect(users).toMatch(/^admin +admin@\* +-$/m);
    expect(users).toMatch(/^gina +pull@\* +ci,ops$/m);
    expect((await listJson(data)).users.find((u) => u.name === 'gina')).toEqual({ name: 'gina', rules: 'pull@*', groups: ['ci', 'ops'], hasPassword: true });
    expect(readFileSync(f.access, 'utf8')).toMatch(/^ {2}gina:\n {4}access: "pull@\*"\n {4}groups: \[ ci, ops \]$/m);

    let t = 0;
    const access = new AccessFile(f.access, { now: () => t });
    expect(formatRules(access.rulesFor('gina'))).toBe('pull@*,push@ci/*,delete@*');
    expect(await ok(['user', 'groups', 'gina', '', '--data', data])).toBe('gina is now in no group.\n');
    t += 1100;
    expect(formatRules(access.rulesFor('gina'))).toBe('pull@*');
  });

  it('rm says which members lost the rights; they keep their own', async () => {
    await ok(['group', 'add', 'tmp', '--access', 'pull@tmp/*', '--data', data]);
    await ok(['user', 'groups', 'hal', 'ci,tmp', '--data', data]);
    expect(await ok(['group', 'rm', 'tmp', '--data', data])).toBe('Removed group tmp.\nhal was a member and no longer has its rights.\n');
    expect((await listJson(data)).users.find((u) => u.name === 'hal')).toMatchObject({ rules: 'pull@x', groups: ['ci'] });
    await ok(['group', 'add', 'lone', '--data', data]);
    expect(await ok(['group', 'rm', 'lone', '--data', data])).toBe('Removed group lone.\n');
  });

  it('refuses bad names, clashes, unknown groups and bad rules in one line, changing nothing', async () => {
    const before = [readFileSync(f.htpasswd, 'utf8'), readFileSync(f.access, 'utf8')];
    expect(await fails(['group', 'add', 'ci', '--data', data])).toBe('berth: group ci already exists (change its rights with `berth group access ci RULES`)');
    expect(await fails(['group', 'add', 'gina', '--data', data])).toBe('berth: gina is the name of a user: users and groups need different names');
    expect(await fails(['user', 'add', 'ci', '--data', data])).toBe('berth: ci is the name of a group: users and groups need different names');
    expect(await fails(['group', 'add', "x'; rm -rf /", '--data', data])).toBe(
      `berth: invalid group name "x'; rm -rf /": use 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter`,
    );
    expect(await fails(['group', 'add', 'qa', '--access', 'pull@*,fly@x', '--data', data])).toBe('berth: invalid rights for group qa: unknown right "fly" in "fly@x" (use pull, push, delete, admin)');
    expect(await fails(['user', 'add', 'ivy', '--password-stdin', '--groups', 'ci,nope', '--data', data], 'ivy-password-1\n')).toBe('berth: no such group: nope (groups: ci, ops)');
    expect(await fails(['user', 'groups', 'gina', 'Ops', '--data', data])).toBe('berth: no such group: "Ops" (groups: ci, ops)');
    expect(await fails(['user', 'groups', 'zed', 'ci', '--data', data])).toBe('berth: no such user: zed (add it with `berth user add zed`)');
    expect(await fails(['group', 'rm', 'nope', '--data', data])).toBe('berth: no such group: nope (`berth group list` shows the groups)');
    expect(await fails(['group', 'access', 'nope', 'pull@*', '--data', data])).toBe('berth: no such group: nope (`berth group list` shows the groups)');
    expect([readFileSync(f.htpasswd, 'utf8'), readFileSync(f.access, 'utf8')]).toEqual(before);
  });

  it('refuses to remove or narrow the group that is the last source of admin@*', async () => {
    const d = freshData();
    await ok(['init', '--data', d]);
    await ok(['group', 'add', 'root', '--access', 'admin@*', '--data', d]);
    await ok(['user', 'groups', 'admin', 'root', '--data', d]);
    await ok(['user', 'access', 'admin', '', '--data', d]);
    const why = "admin (through group root) is the only user with admin@*, and the registry would have no administrator left; give another user admin@* first (berth user access NAME 'admin@*')";
    expect(await fails(['group', 'rm', 'root', '--data', d])).toBe(`berth: cannot remove group root: ${why}`);
    expect(await fails(['group', 'access', 'root', 'push@*', '--data', d])).toBe(`berth: cannot change the rights of group root: ${why}`);
    expect(await fails(['user', 'groups', 'admin', '', '--data', d])).toBe(`berth: cannot change the groups of admin: ${why}`);
    expect((await listJson(d)).users).toEqual([{ name: 'admin', rules: '', groups: ['root'], hasPassword: true }]);
  });
});

describe('a running berth serve', () => {
  let berth: RunningBerth;
  let data: string;
  const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  const ping = async (user: string, password: string) => (await fetch(`${berth.url}/v2/`, { headers: basic(user, password) })).status;
  /** Polls until the status is the one expected, for at most 8 s (the server checks files once a second). */
  async function eventually(user: string, password: string, status: number): Promise<number> {
    const until = Date.now() + 8000;
    let got = await ping(user, password);
    while (got !== status && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      got = await ping(user, password);
    }
    return got;
  }

  let adminPassword: string;
  beforeAll(async () => {
    data = freshData();
    adminPassword = shownPassword(await ok(['init', '--data', data]));
    berth = await startBerth(data, ['--auth', 'basic']);
  });
  /** The status of starting an upload (POST), which needs push on the repository. */
  const uploadStatus = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${berth.url}${path}`, { method: 'POST', headers })).status;
  /** Polls an upload start until it answers `want` (files are re-read at most once a second). */
  async function settles(path: string, headers: Record<string, string>, want: number): Promise<number> {
    const until = Date.now() + 8000;
    let got = await uploadStatus(path, headers);
    while (got !== want && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      got = await uploadStatus(path, headers);
    }
    return got;
  }
  afterAll(async () => {
    await berth?.stop();
  });

  it('sees users added, re-passworded and removed by the CLI without a restart', async () => {
    expect(await ping('carol', 'carol-secret-1')).toBe(401);
    await ok(['user', 'add', 'carol', '--password-stdin', '--access', 'pull@*', '--data', data], 'carol-secret-1\n');
    expect(await eventually('carol', 'carol-secret-1', 200)).toBe(200);

    await ok(['user', 'passwd', 'carol', '--password-stdin', '--data', data], 'carol-new-pw-2\n');
    expect(await eventually('carol', 'carol-secret-1', 401)).toBe(401);
    expect(await ping('carol', 'carol-new-pw-2')).toBe(200);

    await ok(['user', 'rm', 'carol', '--data', data]);
    expect(await eventually('carol', 'carol-new-pw-2', 401)).toBe(401);
    expect(berth.output()).not.toContain('carol-new-pw-2');
  });
  it('applies rights changed by the CLI (user access, user anonymous) without a restart', async () => {
    await ok(['user', 'add', 'dave', '--password-stdin', '--access', 'push@team/*', '--data', data], 'dave-secret-pw\n');
    const dave = basic('dave', 'dave-secret-pw');
    expect(await settles('/v2/team/app/blobs/uploads/', dave, 202)).toBe(202);
    expect(await uploadStatus('/v2/other/app/blobs/uploads/', dave)).toBe(403);

    await ok(['user', 'access', 'dave', 'pull@*', '--data', data]);
    expect(await settles('/v2/team/app/blobs/uploads/', dave, 403)).toBe(403);
    expect((await fetch(`${berth.url}/v2/team/app/tags/list`, { headers: dave })).status).toBe(404); // may read: unknown repo

    // Anonymous pull of a public namespace, switched on and off.
    expect((await fetch(`${berth.url}/v2/public/x/tags/list`)).status).toBe(401);
    await ok(['user', 'anonymous', 'pull@public/*', '--data', data]);
    const until = Date.now() + 8000;
    let anon = (await fetch(`${berth.url}/v2/public/x/tags/list`)).status;
    while (anon === 401 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      anon = (await fetch(`${berth.url}/v2/public/x/tags/list`)).status;
    }
    expect(anon).toBe(404); // let through to the registry, which does not know the repository
    expect((await fetch(`${berth.url}/v2/private/x/tags/list`)).status).toBe(401);
  });

  it('gives a user push through a group only, and takes it away with the group, without a restart (skopeo)', async () => {
    await ok(['group', 'add', 'builders', '--access', 'push@build/*', '--data', data]);
    await ok(['user', 'add', 'gina', '--password-stdin', '--groups', 'builders', '--data', data], 'gina-secret-pw\n');
    const gina = basic('gina', 'gina-secret-pw');
    expect(await settles('/v2/build/app/blobs/uploads/', gina, 202)).toBe(202);
    expect(await uploadStatus('/v2/other/app/blobs/uploads/', gina)).toBe(403);

    const layout = join(tmp.dir, 'gina-image');
    writeOciLayout(layout, { tag: 'v1' });
    const sandbox = containersSandbox(join(tmp.dir, 'gina-sandbox'));
    try {
      const push = (tag: string) =>
        sandbox.skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', 'gina:gina-secret-pw', `oci:${layout}:v1`, `docker://${berth.host}/build/app:${tag}`], { allowFailure: true });
      const first = await push('1');
      expect(first.code, first.stderr).toBe(0);
      const admin = basic('admin', adminPassword);
      const tags = async () => ((await (await fetch(`${berth.url}/v2/build/app/tags/list`, { headers: admin })).json()) as { tags: string[] }).tags;
      expect(await tags()).toEqual(['1']);

      expect(await ok(['group', 'rm', 'builders', '--data', data])).toBe('Removed group builders.\ngina was a member and no longer has its rights.\n');
      expect(await settles('/v2/build/app/blobs/uploads/', gina, 403)).toBe(403);
      const second = await push('2');
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain('403 (Forbidden)');
      expect(await tags()).toEqual(['1']);
    } finally {
      sandbox.cleanup();
    }
  }, 60_000);
});
