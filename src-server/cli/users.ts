import type { Command } from 'commander';
import { parseGroupList } from '../auth/access-doc';
import { validateNewPassword, validateUserName } from '../auth/htpasswd-store';
import { MIN_PASSWORD_LENGTH } from '../contract';
import { ADMIN_USER, generatePassword, initAuth } from '../auth/init';
import { formatRules, parseRules } from '../auth/rules';
import { addUser, listAccess, removeUser, setAnonymous, setPassword, setRights, setUserGroups } from '../auth/users';
import { CliError } from './errors';
import { CONFIG_HELP, DATA_HELP, listText, noteCreated, out, pathsFrom, rightsText, run, withPaths, type PathOptions } from './auth-files';
import { recordChange } from './record-change';

/** The first line of stdin, for --password-stdin. */
async function passwordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const first = Buffer.concat(chunks).toString('utf8').split('\n')[0]!.replace(/\r$/, '');
  if (!first) throw new CliError('--password-stdin: no password on standard input');
  return first;
}

async function initCommand(opts: PathOptions & { force?: boolean }): Promise<void> {
  const paths = pathsFrom(opts);
  const result = await initAuth({ ...paths, force: opts.force === true });
  if (!result.created) {
    out(`Already set up: ${paths.htpasswdPath} exists. Nothing changed (berth init --force replaces the users and rights).`);
    return;
  }
  recordChange({ opts, event: { action: 'user.add', target: ADMIN_USER, detail: { rules: 'admin@*', init: true, force: opts.force === true } } }, 'ok');
  out(`Created user ${ADMIN_USER} with every right (admin@*).`);
  out(`  user:     ${ADMIN_USER}`);
  out(`  password: ${result.adminPassword}`);
  out('Note the password now: it is shown only this once and stored only as a bcrypt hash.');
  out(`  users (htpasswd): ${paths.htpasswdPath}`);
  out(`  rights:           ${paths.accessPath}`);
}

/** Adds `berth init` and `berth user ...` to the program. */
export function registerUserCommands(program: Command): void {
  program
    .command('init')
    .description(`create the user ${ADMIN_USER} with a random password (shown once) and the access file`)
    .option('--force', 'replace existing users and rights')
    .option('--data <dir>', DATA_HELP)
    .option('--config <file>', CONFIG_HELP)
    .action((opts: PathOptions & { force?: boolean }) => run(() => initCommand(opts)));

  const user = program
    .command('user')
    .description('manage users (htpasswd) and their rights (access.yml); the server picks up changes without a restart')
    .addHelpText(
      'after',
      `
Rights: pull, push (implies pull), delete (implies pull), admin (everything), each limited to
repositories matching a pattern: pull@*,push@team/* ('*' matches any characters including '/').
A user's rights are their own plus those of their groups (berth group --help).`,
    );
  withPaths(
    user
      .command('add <name>')
      .description('add a user; prints a generated password once unless --password-stdin')
      .option('--password-stdin', `read the password from the first line of standard input (at least ${MIN_PASSWORD_LENGTH} characters)`)
      .option('--access <rules>', 'rights, e.g. "pull@*,push@team/*" (default: none)')
      .option('--groups <groups>', 'groups to put the user in, e.g. "ci,ops" (they must exist)'),
  ).action((name: string, opts: PathOptions & { passwordStdin?: boolean; access?: string; groups?: string }) =>
    run(async () => {
      validateUserName(name);
      const paths = pathsFrom(opts);
      const groups = parseGroupList(opts.groups ?? '');
      const generated = opts.passwordStdin ? undefined : generatePassword();
      const password = generated ?? (await passwordFromStdin());
      validateNewPassword(password);
      const result = await addUser(paths, name, password, opts.access ?? '', groups);
      noteCreated(result, paths);
      const rules = formatRules(parseRules(opts.access ?? ''));
      out(`Added user ${name} with ${rightsText(rules)}${groups.length ? `, in the groups ${listText(groups)}` : ''}.`);
      if (!rules && !groups.length) out(`Grant rights with: berth user access ${name} RULES`);
      if (generated) {
        out(`  password: ${generated}`);
        out('Note the password now: it is shown only this once and stored only as a bcrypt hash.');
      }
    }, { opts, event: { action: 'user.add', target: name, detail: { rules: opts.access ?? '', ...(opts.groups ? { groups: opts.groups } : {}) } } }),
  );

  withPaths(user.command('rm <name>').description('remove a user and its rights')).action((name: string, opts: PathOptions) =>
    run(async () => {
      await removeUser(pathsFrom(opts), name);
      out(`Removed user ${name}.`);
    }, { opts, event: { action: 'user.remove', target: name } }),
  );

  withPaths(
    user
      .command('passwd <name>')
      .description("set a user's password; prints a generated one once unless --password-stdin")
      .option('--password-stdin', `read the password from the first line of standard input (at least ${MIN_PASSWORD_LENGTH} characters)`),
  ).action((name: string, opts: PathOptions & { passwordStdin?: boolean }) =>
    run(async () => {
      const generated = opts.passwordStdin ? undefined : generatePassword();
      const password = generated ?? (await passwordFromStdin());
      validateNewPassword(password);
      await setPassword(pathsFrom(opts), name, password);
      out(`Changed the password of ${name}.`);
      if (generated) {
        out(`  password: ${generated}`);
        out('Note the password now: it is shown only this once and stored only as a bcrypt hash.');
      }
    }, { opts, event: { action: 'user.password', target: name } }),
  );

  withPaths(
    user.command('access <name> <rules>').description(`replace a user's rights ('' for none), e.g. "pull@*,push@team/*"`),
  ).action((name: string, rules: string, opts: PathOptions) =>
    run(async () => {
      const paths = pathsFrom(opts);
      const result = await setRights(paths, name, rules);
      noteCreated(result, paths);
      const groups = listAccess(paths).users.find((u) => u.name === name)?.groups ?? [];
      const through = groups.length ? `, plus the rights of the groups ${listText(groups)}` : '';
      out(`${name} now has ${rightsText(formatRules(parseRules(rules)))}${through}.`);
    }, { opts, event: { action: 'user.access', target: name, detail: { rules } } }),
  );

  withPaths(
    user
      .command('groups <name> <groups>')
      .description(`replace the groups a user is in ('' for none), e.g. "ci,ops"; the user has their rights on top of their own`),
  ).action((name: string, groupsText: string, opts: PathOptions) =>
    run(async () => {
      const paths = pathsFrom(opts);
      const groups = parseGroupList(groupsText);
      const result = await setUserGroups(paths, name, groups);
      noteCreated(result, paths);
      out(groups.length ? `${name} is now in the groups ${listText(groups)}.` : `${name} is now in no group.`);
    }, { opts, event: { action: 'user.groups', target: name, detail: { groups: groupsText } } }),
  );

  withPaths(
    user.command('anonymous <rules>').description(`set the rights of callers who do not log in ('' for none), e.g. "pull@public/*"`),
  ).action((rules: string, opts: PathOptions) =>
    run(async () => {
      const paths = pathsFrom(opts);
      const result = await setAnonymous(paths, rules);
      noteCreated(result, paths);
      const now = formatRules(parseRules(rules));
      out(now ? `Anonymous callers now have ${now}.` : 'Anonymous callers now have no rights.');
    }, { opts, event: { action: 'anonymous.access', target: 'anonymous', detail: { rules } } }),
  );

  withPaths(
    user.command('list').description('list users, their rights and groups').option('--json', 'machine-readable output'),
  ).action((opts: PathOptions & { json?: boolean }) =>
    run(() => {
      const paths = pathsFrom(opts);
      const listing = listAccess(paths);
      if (opts.json) {
        const users = listing.users.map((u) => ({ name: u.name, rules: formatRules(u.rules), groups: u.groups, hasPassword: u.hasPassword }));
        out(JSON.stringify({ users, anonymous: formatRules(listing.anonymous), accessFileExists: listing.accessFileExists }, null, 2));
        return;
      }
      if (!listing.accessFileExists) out(`(no access file ${paths.accessPath}: every user has every right)`);
      const width = Math.max(4, ...listing.users.map((u) => u.name.length), '(anonymous)'.length);
      const rows = listing.users.map((u) => ({ ...u, text: formatRules(u.rules) || '(none)' }));
      // The groups column only once there are groups, so that a plain setup reads as before.
      const grouped = listing.groups.length > 0;
      const rulesWidth = Math.max(6, ...rows.map((r) => r.text.length));
      out(grouped ? `${'USER'.padEnd(width)}  ${'RIGHTS'.padEnd(rulesWidth)}  GROUPS` : `${'USER'.padEnd(width)}  RIGHTS`);
      for (const u of rows) {
        const note = u.hasPassword ? '' : '  (no usable password: cannot log in)';
        const groups = grouped ? `  ${u.groups.join(',') || '-'}` : '';
        out(`${u.name.padEnd(width)}  ${grouped ? u.text.padEnd(rulesWidth) : u.text}${groups}${note}`);
      }
      out(`${'(anonymous)'.padEnd(width)}  ${formatRules(listing.anonymous) || '(none)'}`);
    }),
  );
}
