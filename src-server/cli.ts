#!/usr/bin/env node
/**
 * Berth's headless command line: `berth serve`, `berth init`, `berth user ...`, `berth cert ...`,
 * `berth reindex`, `berth gc`, `berth repo rm`, `berth usage`, `berth files`, `berth extract`, `berth diff`, `berth copy`,
 * `berth export`, `berth import`, `berth sync`. Every command resolves its data
 * directory the same way: --data, then BERTH_DATA, then the config file, then the platform default.
 * gc, repo rm and usage act through the running `berth serve` of that directory, else in-process.
 */
import { Command, Option } from 'commander';
import { DEFAULT_DATA_DIR_HELP, DEFAULT_LISTEN, defaultDataDir } from './config/defaults';
import { LOG_LEVELS } from './logger';
import { printError } from './cli/errors';
import { reindex } from './cli/reindex';
import { serve } from './cli/serve';
import { registerCertCommands } from './cli/cert';
import { registerGcCommand } from './cli/gc';
import { registerGroupCommands } from './cli/groups';
import { registerRepoCommands } from './cli/repo';
import { registerTrashCommands } from './cli/trash';
import { registerRetentionCommands } from './cli/retention';
import { registerSyncCommand } from './cli/sync';
import { registerUsageCommands } from './cli/usage';
import { registerUserCommands } from './cli/users';
import { registerAuditCommand } from './cli/audit';
import { registerDiffCommand } from './cli/diff';
import { registerExtractCommand } from './cli/extract';
import { registerFilesCommand } from './cli/files';
import { registerCopyCommand } from './cli/copy';
import { registerArchiveCommands } from './cli/archive';
import { createContentsService } from './contents/service';

const dataHelp = `storage root, registry:2's rootdirectory (overrides BERTH_DATA; default here: ${defaultDataDir()})`;

const ENV_HELP = `
Data directory: --data, else $BERTH_DATA, else storage.filesystem.rootdirectory from the config, else
  ${DEFAULT_DATA_DIR_HELP}.
Configuration: registry:2's config.yml keys (http.addr, http.tls.certificate/key,
  storage.filesystem.rootdirectory, storage.delete.enabled, auth.htpasswd.realm/path, log.level,
  log.accesslog.disabled) and their REGISTRY_* environment overrides (e.g. REGISTRY_HTTP_ADDR).
  Precedence: command-line flags > BERTH_DATA and REGISTRY_* > config file > defaults.
Running server: gc, repo rm, usage, files, extract and diff ask the berth serve of the data directory to act (found through
  <data>/berth/control.json, mode 0600: only its owner may control the server); without one they work in-process.`;

/** Commander reducer for repeatable options. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Builds the `berth` program. */
function buildProgram(): Command {
  const program = new Command('berth')
    .description('A local OCI registry, compatible with registry:2. Without a command: berth serve.')
    .showHelpAfterError('(run `berth <command> --help` for usage)')
    .addHelpText('after', ENV_HELP);

  program
    .command('serve')
    .description(`run the registry (default ${DEFAULT_LISTEN}) and its GUI at / (admin login; with --auth none a login link is printed); stops cleanly on SIGINT/SIGTERM`)
    .option('--data <dir>', dataHelp)
    .option('--listen <host:port>', `address to listen on, ":PORT" for all interfaces (default ${DEFAULT_LISTEN})`)
    .option('--config <file>', "registry:2 style config.yml (YAML)")
    .option('--access-log', 'log one line per request to stderr (off by default)')
    .addOption(new Option('--auth <mode>', 'basic (default), token, or none (loopback only)').choices(['basic', 'token', 'none']))
    .option('--tls-listen <host:port>', "also serve HTTPS here with Berth's own CA-signed certificate")
    .option('--tls-name <name>', 'an extra name or wildcard for the server certificate (repeatable)', collect, [] as string[])
    .option('--allow-open-network', 'allow --auth none on an address other machines can reach')
    .option('--ui', 'insist on the GUI (served by default where safe): refuse to start where it cannot be served safely')
    .option('--no-ui', 'serve the registry without the GUI at / and its API at /_berth/api')
    .option('--ui-dir <dir>', 'the built GUI to serve (default: built from the sources on the first start in a checkout; the one `npm run build:cli` made when installed)')
    .addOption(new Option('--log-level <level>', 'log level (default info)').choices([...LOG_LEVELS]))
    .addHelpText('after', ENV_HELP)
    .action(serve);

  program
    .command('reindex')
    .description('drop the SQLite index and rebuild it from the data directory (stop berth serve first)')
    .option('--data <dir>', dataHelp)
    .option('--config <file>', 'config file to take the data directory from')
    .addHelpText('after', ENV_HELP)
    .action(reindex);

  registerUserCommands(program);
  registerGroupCommands(program);
  registerCertCommands(program);
  registerGcCommand(program, dataHelp);
  registerRepoCommands(program, dataHelp);
  registerTrashCommands(program, dataHelp);
  registerRetentionCommands(program, dataHelp);
  registerSyncCommand(program, dataHelp);
  registerUsageCommands(program, dataHelp);
  registerAuditCommand(program, dataHelp);
  registerFilesCommand(program, dataHelp, createContentsService);
  registerExtractCommand(program, dataHelp, createContentsService);
  registerDiffCommand(program, dataHelp, createContentsService);
  registerCopyCommand(program, dataHelp);
  registerArchiveCommands(program, dataHelp);
  return program;
}

// `berth` alone runs the registry on its defaults; a mistyped command still gets "unknown command".
const argv = process.argv.length > 2 ? process.argv : [...process.argv, 'serve'];
try {
  await buildProgram().parseAsync(argv);
} catch (err) {
  printError(err);
  process.exit(1);
}
