import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const ELECTRON_VITE = join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js');

/** How long a build may take before it is killed. */
export const BUILD_TIMEOUT_MS = 120_000;

/**
 * Runs `electron-vite build --outDir <dir>` on this checkout, bounded, with no Electron binary
 * available (electron is pointed at a path that does not exist: the build must not need it).
 * Resolves the exit code and the output; rejects only when the build hangs.
 */
export function electronViteBuild(outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [ELECTRON_VITE, 'build', '--outDir', outDir], {
      cwd: ROOT,
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ELECTRON_OVERRIDE_DIST_PATH: join(outDir, 'no-electron') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`electron-vite build did not finish in ${BUILD_TIMEOUT_MS} ms:\n${output}`));
    }, BUILD_TIMEOUT_MS);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, output });
    });
  });
}
