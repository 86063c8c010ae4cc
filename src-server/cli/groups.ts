/** `berth group ...`: groups of users in the access file, whose rights their members have too. */
import type { Command } from 'commander';
import { addGroup, removeGroup, setGroupRights } from '../auth/groups';
import { formatRules, parseRules } from '../auth/rules';
import { listAccess } from '../auth/users';
import { listText, noteCreated, out, pathsFrom, rightsText, run, withPaths, type PathOptions } from './auth-files';

/** Adds `berth group ...` to the program. */
export function registerGroupCommands(program: Command): void {
  const group = program
    .command('group')
    .description("manage groups of users (access.yml): a user's rights are their own plus those of their groups")
    .addHelpText(
      'after',
      `
Members are set per user: berth user add NAME --groups G1,G2, or berth user groups NAME G1,G2.
Group names: lower-case letters, digits, '.', '_' and '-', starting with a letter.`,
    );

  withPaths(
    group
      .command('add <name>')
      .description('add a group')
      .option('--access <rules>', 'the rights its members get, e.g. "pull@*,push@team/*" (default: none)'),
  ).action((name: string, opts: PathOptions & { access?: string }) =>
    run(async () => {
      const paths = pathsFrom(opts);
      const result = await addGroup(paths, name, opts.access ?? '');
      noteCreated(result, paths);
      out(`Added group ${name} with ${rightsText(formatRules(parseRules(opts.access ?? '')))}.`);
      out(`Put users in it with: berth user groups NAME ${name}`);
    }, { opts, event: { action: 'group.add', target: name, detail: { rules: opts.access ?? '' } } }),
  );

  withPaths(group.command('rm <name>').description('remove a group; its members lose its rights (not their own)')).action((name: string, opts: PathOptions) =>
    run(async () => {
      const { members } = await removeGroup(pathsFrom(opts), name);
      out(`Removed group ${name}.`);
      if (members.length) out(`${listText(members)} ${members.length === 1 ? 'was a member and no longer has' : 'were members and no longer have'} its rights.`);
    }, { opts, event: { action: 'group.remove', target: name } }),
  );

  withPaths(group.command('access <name> <rules>').description(`replace a group's rights ('' for none); its members have the new ones at once`)).action(
    (name: string, rules: string, opts: PathOptions) =>
      run(async () => {
        await setGroupRights(pathsFrom(opts), name, rules);
        out(`Group ${name} now has ${rightsText(formatRules(parseRules(rules)))}.`);
      }, { opts, event: { action: 'group.access', target: name, detail: { rules } } }),
  );

  withPaths(group.command('list').description('list groups, their rights and members').option('--json', 'machine-readable output')).action(
    (opts: PathOptions & { json?: boolean }) =>
      run(() => {
        const { groups } = listAccess(pathsFrom(opts));
        if (opts.json) {
          out(JSON.stringify({ groups: groups.map((g) => ({ name: g.name, rules: formatRules(g.rules), members: g.members })) }, null, 2));
          return;
        }
        if (!groups.length) {
          out('No groups. Add one with: berth group add NAME --access RULES');
          return;
        }
        const rows = groups.map((g) => ({ name: g.name, rules: formatRules(g.rules) || '(none)', members: g.members.join(',') || '-' }));
        const width = Math.max(5, ...rows.map((r) => r.name.length));
        const rulesWidth = Math.max(6, ...rows.map((r) => r.rules.length));
        out(`${'GROUP'.padEnd(width)}  ${'RIGHTS'.padEnd(rulesWidth)}  MEMBERS`);
        for (const r of rows) out(`${r.name.padEnd(width)}  ${r.rules.padEnd(rulesWidth)}  ${r.members}`);
      }),
  );
}
