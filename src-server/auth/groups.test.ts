import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AccessFile } from './access-file';
import { addGroup, removeGroup, setGroupRights } from './groups';
import { authPaths, initAuth, type AuthPaths } from './init';
import { formatRules } from './rules';
import { addUser, listAccess, removeUser, setRights, setUserGroups, UserError } from './users';

const dir = mkdtempSync(join(tmpdir(), 'berth-groups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPaths = () => authPaths(join(dir, `${++n}`));

/** `user: own rules [groups]` and `group name: rules (members)`, as text. */
function summary(paths: AuthPaths): string[] {
  const l = listAccess(paths);
  return [
    ...l.users.map((u) => `${u.name}: ${formatRules(u.rules)}${u.groups.length ? ` [${u.groups.join(',')}]` : ''}`),
    ...l.groups.map((g) => `group ${g.name}: ${formatRules(g.rules)} (${g.members.join(',')})`),
  ];
}

/** The rights the server would give each user now. */
const served = (paths: AuthPaths, user: string) => formatRules(new AccessFile(paths.accessPath).rulesFor(user));

const files = (paths: AuthPaths) => [readFileSync(paths.htpasswdPath, 'utf8'), readFileSync(paths.accessPath, 'utf8')];

describe('groups', () => {
  it('gives members the group\'s rights on top of their own; membership set at add or later', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    await addGroup(paths, 'ci', 'push@ci/*');
    await addGroup(paths, 'ops', 'delete@*');
    await addUser(paths, 'alice', 'pw', 'pull@*', ['ci', 'ops']);
    await addUser(paths, 'bob', 'pw');
    await setUserGroups(paths, 'bob', ['ci']);
    expect(summary(paths)).toEqual(['admin: admin@*', 'alice: pull@* [ci,ops]', 'bob:  [ci]', 'group ci: push@ci/* (alice,bob)', 'group ops: delete@* (alice)']);
    expect(served(paths, 'alice')).toBe('pull@*,push@ci/*,delete@*');
    expect(served(paths, 'bob')).toBe('push@ci/*');

    await setGroupRights(paths, 'ci', 'push@ci/*,push@build/*');
    expect(served(paths, 'bob')).toBe('push@ci/*,push@build/*');
    await setUserGroups(paths, 'bob', []);
    expect(served(paths, 'bob')).toBe('');
    expect(readFileSync(paths.accessPath, 'utf8')).toMatch(/^ {2}bob: ""$/m);
  });

  it('removing a group takes its rights from its members, says who they were, and leaves the rest', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    await addGroup(paths, 'ci', 'push@ci/*');
    await addGroup(paths, 'ops', 'delete@*');
    await addUser(paths, 'alice', 'pw', 'pull@*', ['ci', 'ops']);
    await addUser(paths, 'bob', 'pw', '', ['ci']);
    expect(await removeGroup(paths, 'ci')).toEqual({ members: ['alice', 'bob'] });
    expect(summary(paths)).toEqual(['admin: admin@*', 'alice: pull@* [ops]', 'bob: ', 'group ops: delete@* (alice)']);
    expect(served(paths, 'alice')).toBe('pull@*,delete@*');
    expect(served(paths, 'bob')).toBe('');
    expect(await removeGroup(paths, 'ops')).toEqual({ members: ['alice'] });
    expect(readFileSync(paths.accessPath, 'utf8')).not.toMatch(/^ *groups:/m);
  });

  it('refuses bad and clashing names, unknown groups and bad rules, changing nothing', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    await addGroup(paths, 'ci', 'pull@*');
    await addUser(paths, 'alice', 'pw');
    const before = files(paths);
    const refused = async (p: Promise<unknown>, reason: string, message: string | RegExp) => {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).reason).toBe(reason);
      expect((err as Error).message).toMatch(message);
    };
    await refused(addGroup(paths, 'ci', 'push@*'), 'group-exists', 'group ci already exists (change its rights with `berth group access ci RULES`)');
    await refused(addGroup(paths, 'alice'), 'name-taken', 'alice is the name of a user: users and groups need different names');
    await refused(addGroup(paths, 'admin'), 'name-taken', 'admin is the name of a user');
    await refused(addUser(paths, 'ci', 'pw'), 'name-taken', 'ci is the name of a group');
    await refused(addGroup(paths, 'Bad Name'), 'group-name-invalid', /^invalid group name "Bad Name"/);
    await refused(addGroup(paths, 'x'.repeat(5000)), 'group-name-invalid', /^invalid group name "x{80}": use 1 to 64/);
    await refused(addGroup(paths, 'anonymous'), 'group-name-invalid', 'reserved');
    await refused(addGroup(paths, 'cd', 'fly@*'), 'rules-invalid', 'invalid rights for group cd: unknown right "fly"');
    await refused(addUser(paths, 'bob', 'pw', '', ['ci', 'cj']), 'group-unknown', 'no such group: cj (groups: ci)');
    await refused(setUserGroups(paths, 'alice', ['../etc']), 'group-unknown', 'no such group: "../etc" (groups: ci)');
    await refused(setUserGroups(paths, 'zed', ['ci']), 'user-unknown', 'no such user: zed');
    await refused(removeGroup(paths, 'cj'), 'group-unknown', 'no such group: cj (`berth group list` shows the groups)');
    await refused(removeGroup(paths, 'C J'), 'group-name-invalid', 'invalid group name');
    await refused(setGroupRights(paths, 'cj', 'pull@*'), 'group-unknown', 'no such group: cj');
    await refused(setGroupRights(paths, 'ci', 'pull@UP'), 'rules-invalid', 'invalid rights for group ci: invalid repository pattern "UP"');
    expect(files(paths)).toEqual(before);
  });

  it('without an access file: no groups yet, and adding the first one keeps everyone\'s rights', async () => {
    const paths = freshPaths();
    await addUser(paths, 'solo', 'pw');
    rmSync(paths.accessPath);
    const err = await setUserGroups(paths, 'solo', ['ci']).catch((e: unknown) => e);
    expect((err as Error).message).toBe('no such group: ci (there are no groups yet; add one with `berth group add NAME --access RULES`)');
    expect(await addGroup(paths, 'ci', 'pull@*')).toEqual({ accessFileCreated: true });
    expect(summary(paths)).toEqual(['solo: admin@*', 'group ci: pull@* ()']);
  });
});

describe('the last admin through groups', () => {
  /** admin holds admin@* only through the group ops; alice is an ordinary user. */
  async function opsOnly(): Promise<AuthPaths> {
    const paths = freshPaths();
    await initAuth(paths);
    await addGroup(paths, 'ops', 'admin@*');
    await setUserGroups(paths, 'admin', ['ops']);
    await setRights(paths, 'admin', 'pull@*');
    await addUser(paths, 'alice', 'pw', 'pull@*');
    return paths;
  }
  const why = "admin (through group ops) is the only user with admin@*, and the registry would have no administrator left; give another user admin@* first (berth user access NAME 'admin@*')";

  it('refuses removing the group, narrowing it, or taking the user out of it', async () => {
    const paths = await opsOnly();
    const before = files(paths);
    await expect(removeGroup(paths, 'ops')).rejects.toThrow(`cannot remove group ops: ${why}`);
    await expect(setGroupRights(paths, 'ops', 'admin@team/*')).rejects.toThrow(`cannot change the rights of group ops: ${why}`);
    await expect(setUserGroups(paths, 'admin', [])).rejects.toThrow(`cannot change the groups of admin: ${why}`);
    await expect(removeUser(paths, 'admin')).rejects.toThrow(`cannot remove admin: ${why}`);
    expect(files(paths)).toEqual(before);
    expect(served(paths, 'admin')).toBe('pull@*,admin@*');
  });

  it('lets the group go once another user holds admin@*', async () => {
    const paths = await opsOnly();
    await setRights(paths, 'alice', 'admin@*');
    expect(await removeGroup(paths, 'ops')).toEqual({ members: ['admin'] });
    expect(served(paths, 'admin')).toBe('pull@*');
  });

  it('names every administrator who would lose admin@*, and where each has it from', async () => {
    const paths = await opsOnly();
    await addGroup(paths, 'root', 'admin@*');
    await setUserGroups(paths, 'alice', ['root', 'ops']);
    await removeGroup(paths, 'root');
    await expect(removeGroup(paths, 'ops')).rejects.toThrow(
      'cannot remove group ops: admin (through group ops) and alice (through group ops) are the only users with admin@*, and the registry',
    );
  });
});
