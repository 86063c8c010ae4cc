// Types of gui-build.mjs for the TypeScript code that imports it (the CLI in a checkout, the tests).

/** The package root of this checkout. */
export const ROOT: string;
/** Where builds are kept, one folder per source hash. */
export const GUI_CACHE: string;
/** The folder whose files the GUI's build copies as they are (the favicon). */
export const GUI_PUBLIC: string;
/** Every file the build reads. */
export function guiSources(root?: string): string[];
/** A short hash of the GUI's sources (names and contents). */
export function guiSourceHash(root?: string): string;
/** Builds the GUI into `outDir` (emptied first). */
export function buildGuiInto(outDir: string, root?: string): Promise<void>;
/** The build of the current sources under `cacheDir`, made first if there is none. */
export function ensureGuiBuild(opts?: { root?: string; cacheDir?: string; onBuild?: (out: string) => void }): Promise<string>;
