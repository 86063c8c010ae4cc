import type { Command } from 'commander';
import { AccessFileError } from '../auth/access-file';
import { InvalidCredentialError, validatePassword, validateUserName } from '../auth/htpasswd-store';
import { ADMIN_USER, generatePassword, initAuth, type AuthPaths } from '../auth/init';
import { formatRules, parseRules, RuleSyntaxError } from '../auth/rules';
import { addUser, listAccess, removeUser, setAnonymous, setPassword, setRights, UserError, type ChangeResult } from '../auth/users';
import { loadConfig } from '../config/load';
import { ConfigError } from '../config/types';
import { CliError } from './errors';

/** Flags every command here shares: where the data (and so the auth files) are. */
interface PathOptions {
  data?: string;
  config?: string;
}

const DATA_HELP = 'data directory (as for berth serve: overrides BERTH_DATA and the config file)';
const CONFIG_HELP = 'registry:2 style config.yml (its auth.htpasswd.path names the htpasswd file)';

/** The auth files, resolved exactly as `berth serve` resolves its data directory. */
function pathsFrom(opts: PathOptions): AuthPaths {
  const { auth } = loadConfig(opts).config;
  return { htpasswdPath: auth.htpasswdPath, accessPath: auth.accessPath };
}

/** Runs a command body, turning the auth layer's expected failures into one-line CLI errors. */
async function run(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (err) {
    const known = [UserError, InvalidCredentialError, RuleSyntaxError, AccessFileError, ConfigError, CliError];
    if (known.some((k) => err instanceof k)) throw new CliError((err as Error).message);
    const e = err as NodeJS.ErrnoException;
    // File system trouble (permissions, full disk) is the user's to fix, not a bug: one line.
    if (e.code && e.message) throw new CliError(e.message);
    throw err;
  }
}

/** The first line of stdin, for --password-stdin. */
async function passwordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const first = Buffer.concat(chunks).toString('utf8').split('\n')[0]!.replace(/\r$/, '');
  if (!first) throw new CliError('--password-stdin: no password on standard input');
  return first;
}

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function noteCreated(result: ChangeResult, paths: AuthPaths): void {
  if (result.accessFileCreated) {
    out(`Created the access file ${paths.accessPath}; users already in the htpasswd keep every right (admin@*).`);
  }
}

function rightsText(text: string): string {
  return text === '' ? 'no rights' : text;
}

async function initCommand(opts: PathOptions & { force?: boolean }): Promise<void> {
  const paths = pathsFrom(opts);
  const result = await initAuth({ ...paths, force: opts.force === true });
  if (!result.created) {
    out(`Already set up: ${paths.htpasswdPath} exists. Nothing changed (berth init --force replaces the users and rights).`);
    return;
  }
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
repositories matching a pattern: pull@*,push@team/* ('*' matches any characters including '/').`,
    );
  const withPaths = (cmd: Command) => cmd.option('--data <dir>', DATA_HELP).option('--config <file>', CONFIG_HELP);

  withPaths(
    user
      .command('add <name>')
      .description('add a user; prints a generated password once unless --password-stdin')
      .option('--password-stdin', 'read the password from the first line of standard input')
      .option('--access <rules>', 'rights, e.g. "pull@*,push@team/*" (default: none)'),
  ).action((name: string, opts: PathOptions & { passwordStdin?: boolean; access?: string }) =>
    run(async () => {
      validateUserName(name);
      const paths = pathsFrom(opts);
      const generated = opts.passwordStdin ? undefined : generatePassword();
      const password = generated ?? (await passwordFromStdin());
      const result = await addUser(paths, name, password, opts.access ?? '');
      noteCreated(result, paths);
      const rules = formatRules(parseRules(opts.access ?? ''));
      out(`Added user ${name} with ${rightsText(rules)}.`);
      if (!rules) out(`Grant rights with: berth user access ${name} RULES`);
      if (generated) {
        out(`  password: ${generated}`);
        out('Note the password now: it is shown only this once and stored only as a bcrypt hash.');
      }
    }),
  );

  withPaths(user.command('rm <name>').description('remove a user and its rights')).action((name: string, opts: PathOptions) =>
    run(async () => {
      await removeUser(pathsFrom(opts), name);
      out(`Removed user ${name}.`);
    }),
  );

  withPaths(
    user
      .command('passwd <name>')
      .description("set a user's password; prints a generated one once unless --password-stdin")
      .option('--password-stdin', 'read the password from the first line of standard input'),
  ).action((name: string, opts: PathOptions & { passwordStdin?: boolean }) =>
    run(async () => {
      const generated = opts.passwordStdin ? undefined : generatePassword();
      const password = generated ?? (await passwordFromStdin());
      validatePassword(password);
      await setPassword(pathsFrom(opts), name, password);
      out(`Changed the password of ${name}.`);
      if (generated) {
        out(`  password: ${generated}`);
        out('Note the password now: it is shown only this once and stored only as a bcrypt hash.');
      }
    }),
  );

  withPaths(
    user.command('access <name> <rules>').description(`replace a user's rights ('' for none), e.g. "pull@*,push@team/*"`),
  ).action((name: string, rules: string, opts: PathOptions) =>
    run(async () => {
      const paths = pathsFrom(opts);
      const result = await setRights(paths, name, rules);
      noteCreated(result, paths);
      out(`${name} now has ${rightsText(formatRules(parseRules(rules)))}.`);
    }),
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
    }),
  );

  withPaths(
    user.command('list').description('list users and their rights').option('--json', 'machine-readable output'),
  ).action((opts: PathOptions & { json?: boolean }) =>
    run(() => {
      const paths = pathsFrom(opts);
      const listing = listAccess(paths);
      if (opts.json) {
        const users = listing.users.map((u) => ({ name: u.name, rules: formatRules(u.rules), hasPassword: u.hasPassword }));
        out(JSON.stringify({ users, anonymous: formatRules(listing.anonymous), accessFileExists: listing.accessFileExists }, null, 2));
        return;
      }
      if (!listing.accessFileExists) out(`(no access file ${paths.accessPath}: every user has every right)`);
      const width = Math.max(4, ...listing.users.map((u) => u.name.length), '(anonymous)'.length);
      out(`${'USER'.padEnd(width)}  RIGHTS`);
      for (const u of listing.users) {
        const note = u.hasPassword ? '' : '  (no usable password: cannot log in)';
        out(`${u.name.padEnd(width)}  ${formatRules(u.rules) || '(none)'}${note}`);
      }
      out(`${'(anonymous)'.padEnd(width)}  ${formatRules(listing.anonymous) || '(none)'}`);
    }),
  );
}
