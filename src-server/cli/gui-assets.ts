/**
 * Where `berth serve` finds the GUI it serves:
 * - `--ui-dir DIR`: that folder, as it is;
 * - Berth run from its TypeScript sources (a checkout, `npm run berth`): the build of the current
 *   renderer sources, made on the first start after they change (build/gui-build.mjs, cached by a
 *   hash of the sources), so a fresh checkout needs no separate build step;
 * - the built CLI (`npm run build:cli`, an installed package): `out/cli/gui`, which that build writes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The folder `npm run build:cli` writes the GUI to, relative to the package root. */
export const BUILT_GUI_DIR = join('out', 'cli', 'gui');

/** The package root: the nearest folder above `from` whose package.json names Berth. */
export function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'berth') return dir;
      } catch {
        // Not ours (or unreadable): keep looking above.
      }
    }
    if (dirname(dir) === dir) throw new Error(`no Berth package.json above ${from}`);
  }
}

/** The part of build/gui-build.mjs used here (a build script, outside src-server). */
interface GuiBuildScript {
  ensureGuiBuild(opts: { root: string; onBuild: (out: string) => void }): Promise<string>;
}

/** What {@link guiDirectory} needs to know. */
export interface GuiLocation {
  /** `--ui-dir`, when given. */
  explicit?: string;
  /** The package root (see {@link packageRoot}). */
  root: string;
  /** True when Berth runs from its TypeScript sources rather than the built CLI. */
  fromSources: boolean;
  /** Told before a build starts, with what to say (a build takes a while). */
  onBuild: (message: string) => void;
}

/** The folder of the built GUI to serve; builds it first when running from sources. */
export async function guiDirectory(where: GuiLocation): Promise<string> {
  if (where.explicit !== undefined) return where.explicit;
  if (!where.fromSources) return join(where.root, BUILT_GUI_DIR);
  // A path computed at run time: the built CLI never bundles the build tooling (vite is a dev dependency).
  const script = pathToFileURL(join(where.root, 'build', 'gui-build.mjs')).href;
  const { ensureGuiBuild } = (await import(script)) as GuiBuildScript;
  return ensureGuiBuild({
    root: where.root,
    onBuild: () => where.onBuild('building the GUI from src-renderer (once after each change of its sources; this takes a minute)…'),
  });
}
