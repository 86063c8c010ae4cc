import { groupNameProblem, membersOf } from './access-doc';
import type { AuthPaths } from './init';
import { changeAuthFiles, rulesFrom, UserError, type ChangeResult } from './users';

/**
 * Groups of users in the access file: a group has rules, and every member has them on top of
 * their own. Changes go through the same locked read-modify-write as user changes, so that
 * removing or narrowing a group is refused when it is the last source of `admin@*`.
 */

const noSuchGroup = (name: string) => new UserError(`no such group: ${name} (\`berth group list\` shows the groups)`, 'group-unknown');

/** Checks a group name, as a UserError the callers already handle. */
function validGroupName(name: string): void {
  const problem = groupNameProblem(name);
  if (problem) throw new UserError(problem, 'group-name-invalid');
}

/** Adds a group with rights (`''`: none). Refuses an existing group and a user's name. */
export async function addGroup(paths: AuthPaths, name: string, rulesText = ''): Promise<ChangeResult> {
  validGroupName(name);
  const rules = rulesFrom(rulesText, `group ${name}`);
  const { accessFileCreated } = await changeAuthFiles(paths, `add group ${name}`, (d) => {
    if (d.current()?.groups.has(name)) throw new UserError(`group ${name} already exists (change its rights with \`berth group access ${name} RULES\`)`, 'group-exists');
    // One name, one meaning: a listing or a message naming "ci" never leaves a doubt which is meant.
    if (d.htpasswd.has(name) || d.current()?.users.has(name)) throw new UserError(`${name} is the name of a user: users and groups need different names`, 'name-taken');
    d.access().groups.set(name, rules);
  });
  return { accessFileCreated };
}

/**
 * Removes a group; its members lose its rights (and keep their own and other groups'). Returns
 * the members it had, for the caller to say who lost what.
 */
export async function removeGroup(paths: AuthPaths, name: string): Promise<{ members: string[] }> {
  validGroupName(name);
  const { value } = await changeAuthFiles(paths, `remove group ${name}`, (d) => {
    if (!d.current()?.groups.has(name)) throw noSuchGroup(name);
    const doc = d.access();
    const members = membersOf(doc, name);
    doc.groups.delete(name);
    for (const user of members) {
      const rest = doc.memberOf.get(user)!.filter((g) => g !== name);
      if (rest.length) doc.memberOf.set(user, rest);
      else doc.memberOf.delete(user);
    }
    return members;
  });
  return { members: value };
}

/** Replaces a group's rights (`''`: none); every member has the new ones at once. */
export async function setGroupRights(paths: AuthPaths, name: string, rulesText: string): Promise<void> {
  validGroupName(name);
  const rules = rulesFrom(rulesText, `group ${name}`);
  await changeAuthFiles(paths, `change the rights of group ${name}`, (d) => {
    if (!d.current()?.groups.has(name)) throw noSuchGroup(name);
    d.access().groups.set(name, rules);
  });
}
