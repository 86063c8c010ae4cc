// Builds the GUI (src-renderer) for a browser with vite, the way electron-vite builds the desktop's
// renderer, and keeps each build under a hash of its sources: `berth serve` in a checkout, the
// end-to-end tests and `npm run build:cli` all reuse the build of the sources they have, and build
// only when those changed. A build is written to a temporary folder and renamed into place, so two
// starts at once never see half a build (the later rename loses, and its copy is dropped).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root of this checkout. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where builds are kept, one folder per source hash. */
export const GUI_CACHE = join(ROOT, 'node_modules', '.cache', 'berth-gui');

/** The folder whose files the GUI's build copies as they are (the favicon). */
export const GUI_PUBLIC = join(ROOT, 'resources', 'gui');

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every file the build reads: the renderer, the contract it imports, its public files and this script. */
export function guiSources(root = ROOT) {
  return [
    ...filesUnder(join(root, 'src-renderer')),
    ...filesUnder(join(root, 'src-server', 'contract')),
    ...filesUnder(join(root, 'resources', 'gui')),
    join(root, 'build', 'gui-build.mjs'),
  ]
    .filter((f) => !/\.test\.tsx?$/.test(f))
    .sort();
}

/** A short hash of the GUI's sources (names and contents). */
export function guiSourceHash(root = ROOT) {
  const hash = createHash('sha256');
  for (const f of guiSources(root)) hash.update(relative(root, f)).update('\0').update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

/** Builds the GUI into `outDir` (emptied first). */
export async function buildGuiInto(outDir, root = ROOT) {
  const [{ build }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  await build({
    configFile: false,
    root: join(root, 'src-renderer'),
    // Relative asset paths: the same files work at a server's `/` and from disk in Electron.
    base: './',
    publicDir: join(root, 'resources', 'gui'),
    plugins: [react()],
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
  });
}

/**
 * The build of the current sources under `cacheDir`, made first if there is none. `onBuild` is
 * called before a build starts (it takes a while), with the folder it will fill.
 */
export async function ensureGuiBuild({ root = ROOT, cacheDir = GUI_CACHE, onBuild } = {}) {
  const out = join(cacheDir, guiSourceHash(root));
  if (existsSync(join(out, 'index.html'))) return out;
  onBuild?.(out);
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  try {
    await buildGuiInto(tmp, root);
    mkdirSync(dirname(out), { recursive: true });
    try {
      renameSync(tmp, out);
    } catch (err) {
      // Another process built the same sources meanwhile: its build is as good as ours.
      if (!existsSync(join(out, 'index.html'))) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}
