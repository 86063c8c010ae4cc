/**
 * Entry of the desktop app's registry process (started by the main process with Electron's
 * `utilityProcess.fork`, or `child_process.fork` under plain Node). It picks the secret store (the
 * OS keychain, through keytar, loaded here and never in src-server) and runs the shared host.
 */
import { parentPort } from '../src-server/host/port';
import { HOST_ARGS_ENV } from '../src-server/host/protocol';
import { runHost } from '../src-server/host/run-host';
import { chooseSecretStore } from './keychain';

const port = parentPort();
if (!port) {
  process.stderr.write('the Berth registry process is started by the desktop app, not by hand (use `berth serve`)\n');
  process.exit(2);
}
const argv = JSON.parse(process.env[HOST_ARGS_ENV] ?? '[]') as string[];
await runHost({ port, argv, secrets: (dataDir) => chooseSecretStore(dataDir) });
