/** What the `berth user` and `berth group` commands share: where the auth files are, errors, output. */
import type { Command } from 'commander';
import { AccessFileError } from '../auth/access-file';
import { InvalidCredentialError } from '../auth/htpasswd-store';
import type { AuthPaths } from '../auth/init';
import { RuleSyntaxError } from '../auth/rules';
import { UserError, type ChangeResult } from '../auth/users';
import { loadConfig } from '../config/load';
import { ConfigError } from '../config/types';
import { CliError } from './errors';
import { recordChange, type CliChange } from './record-change';

/** Flags every command here shares: where the data (and so the auth files) are. */
export interface PathOptions {
  data?: string;
  config?: string;
}

export const DATA_HELP = 'data directory (as for berth serve: overrides BERTH_DATA and the config file)';
export const CONFIG_HELP = 'registry:2 style config.yml (its auth.htpasswd.path names the htpasswd file)';

/** Adds --data and --config to a command. */
export const withPaths = (cmd: Command) => cmd.option('--data <dir>', DATA_HELP).option('--config <file>', CONFIG_HELP);

/** The auth files, resolved exactly as `berth serve` resolves its data directory. */
export function pathsFrom(opts: PathOptions): AuthPaths {
  const { auth } = loadConfig(opts).config;
  return { htpasswdPath: auth.htpasswdPath, accessPath: auth.accessPath };
}

/** The code a refused change is recorded with: the reason of a UserError, else what kind of input was wrong. */
function failureCode(err: unknown): string {
  if (err instanceof UserError) return err.reason.toUpperCase().replace(/-/g, '_');
  if (err instanceof InvalidCredentialError) return /user name|anonymous/.test(err.message) ? 'USER_NAME_INVALID' : 'PASSWORD_INVALID';
  if (err instanceof RuleSyntaxError) return 'RULES_INVALID';
  return 'FAILED';
}

/**
 * Runs a command body, turning the auth layer's expected failures into one-line CLI errors. With
 * `change`, the change is recorded in the audit log, done or refused.
 */
export async function run(body: () => Promise<void> | void, change?: CliChange): Promise<void> {
  try {
    await body();
    if (change) recordChange(change, 'ok');
  } catch (err) {
    if (change) recordChange(change, failureCode(err));
    const known = [UserError, InvalidCredentialError, RuleSyntaxError, AccessFileError, ConfigError, CliError];
    if (known.some((k) => err instanceof k)) throw new CliError((err as Error).message);
    const e = err as NodeJS.ErrnoException;
    // File system trouble (permissions, full disk) is the user's to fix, not a bug: one line.
    if (e.code && e.message) throw new CliError(e.message);
    throw err;
  }
}

/** Prints one line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Says so when a change created the access file. */
export function noteCreated(result: ChangeResult, paths: AuthPaths): void {
  if (result.accessFileCreated) {
    out(`Created the access file ${paths.accessPath}; users already in the htpasswd keep every right (admin@*).`);
  }
}

/** Rules text for a sentence: `pull@*`, or `no rights`. */
export function rightsText(text: string): string {
  return text === '' ? 'no rights' : text;
}

/** `a, b and c`. */
export function listText(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
