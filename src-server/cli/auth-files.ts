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

/** Runs a command body, turning the auth layer's expected failures into one-line CLI errors. */
export async function run(body: () => Promise<void> | void): Promise<void> {
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
