#!/usr/bin/env node
// Launcher for the installed `berth` command: runs the bundled CLI built by `npm run build:cli`, which
// serves the GUI that build wrote beside it (out/cli/gui; see src-server/cli/gui-assets.ts).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli', 'berth.mjs');
if (existsSync(bundle)) {
  await import(pathToFileURL(bundle).href);
} else {
  process.stderr.write(
    `berth: the CLI is not built (${bundle} is missing).\n` +
      'Run `npm run build:cli` first, or in a checkout use `npm run berth -- <command>`.\n',
  );
  process.exit(1);
}
