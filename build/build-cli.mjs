// Bundles the headless CLI (src-server/cli.ts) into out/cli/berth.mjs (and chunks/ beside it) for `bin/berth.mjs`,
// with the GUI it serves built into out/cli/gui (where src-server/cli/gui-assets.ts looks for it).
// Runtime dependencies stay external: they are installed next to the package, and native ones
// (better-sqlite3) cannot be bundled anyway.
import { build } from 'esbuild';
import { copyFileSync, cpSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGuiBuild } from './gui-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

await build({
  entryPoints: { berth: join(root, 'src-server/cli.ts') },
  outdir: join(root, 'out/cli'),
  outExtension: { '.js': '.mjs' },
  // Code loaded on demand (the S3 driver and its AWS SDK) stays in chunks a registry on disk never loads.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: Object.keys(pkg.dependencies ?? {}),
  sourcemap: true,
  logLevel: 'warning',
});
// The password-check thread is a file of its own, which Node loads by path: bcrypt-pool.ts looks for
// it beside the code that starts it. Plain JavaScript importing only builtins and bcryptjs (an
// external dependency), so it is copied as it is.
copyFileSync(join(root, 'src-server/auth/bcrypt-worker.js'), join(root, 'out/cli/bcrypt-worker.js'));
// The GUI: the cached build of these sources when there is one (the e2e tests and `berth serve` in a
// checkout make it too), copied in beside and swapped in by a rename.
const gui = await ensureGuiBuild({ root, onBuild: () => console.log('building the GUI from src-renderer…') });
const guiOut = join(root, 'out/cli/gui');
rmSync(`${guiOut}.tmp`, { recursive: true, force: true });
cpSync(gui, `${guiOut}.tmp`, { recursive: true });
rmSync(guiOut, { recursive: true, force: true });
renameSync(`${guiOut}.tmp`, guiOut);
console.log('built out/cli/berth.mjs, out/cli/bcrypt-worker.js and out/cli/gui/');
