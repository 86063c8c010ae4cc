#!/usr/bin/env node
/**
 * Makes sure the native addons (better-sqlite3, keytar) load under this Node, and rebuilds them
 * when they do not. `npm start` and `npm run dist` rebuild them for Electron's ABI (Electron's Node
 * is another version), after which plain Node cannot load them; `npm test` and `npm run berth` run
 * this first, so switching between the desktop app and the tests needs no manual step.
 * Costs one child process (about 0.1 s) when nothing is to do.
 */
import { spawnSync } from 'node:child_process';

const ADDONS = ['better-sqlite3', 'keytar'];

function broken() {
  const probe = spawnSync(process.execPath, ['-e', ADDONS.map((m) => `require(${JSON.stringify(m)})`).join(';')], { encoding: 'utf8' });
  if (probe.status === 0) return [];
  // Only an ABI mismatch is ours to fix; anything else (a missing package) must be seen as it is.
  return /NODE_MODULE_VERSION|was compiled against a different Node\.js version|invalid ELF header/.test(probe.stderr) ? ADDONS : null;
}

const need = broken();
if (need === null) {
  // Not a mismatch we can fix by rebuilding: let whatever needs the addon report it in its own words.
  console.error('warning: a native addon (better-sqlite3 or keytar) does not load under this Node; see `npm ci` output');
} else if (need.length > 0) {
  console.error(`rebuilding ${need.join(', ')} for Node ${process.versions.node} (they were built for Electron)`);
  // npm is npm.cmd on Windows, which Node runs only through a shell.
  const r = spawnSync('npm', ['rebuild', ...need], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0 || broken()?.length !== 0) process.exit(1);
}
