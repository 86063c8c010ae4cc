/**
 * electron-vite build of the desktop app: main and preload from src-main, the renderer from
 * src-renderer, all into out/ (package.json "main" is ./out/main/index.js).
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';

const root = import.meta.dirname;

/**
 * The dev server injects React Fast Refresh as an inline script, which the strict CSP in index.html
 * refuses. Relax script-src for `electron-vite dev` only; built files keep the strict policy.
 */
function devCspPlugin(): Plugin {
  return {
    name: 'berth:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // The registry runs in its own process (utilityProcess.fork of out/main/registry-host.js), and
      // checks passwords on worker threads of out/main/bcrypt-worker.js, the file bcrypt-pool.ts
      // looks for beside the code that starts them.
      lib: {
        entry: {
          index: resolve(root, 'src-main/index.ts'),
          'registry-host': resolve(root, 'src-main/registry-host.ts'),
          'bcrypt-worker': resolve(root, 'src-server/auth/bcrypt-worker.js'),
        },
        formats: ['es'],
      },
      // package.json dependencies stay external (better-sqlite3 is a native addon and cannot be
      // bundled); electron and Node builtins are external anyway.
      externalizeDeps: { include: ['better-sqlite3'] },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot load ES modules or other files: one self-contained CommonJS file.
      lib: { entry: { index: resolve(root, 'src-main/preload.ts') }, formats: ['cjs'] },
      externalizeDeps: false,
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    // Copied into the build as it is: the favicon (build/gui-build.mjs builds the same for berth serve).
    publicDir: resolve(root, 'resources/gui'),
    plugins: [react(), devCspPlugin()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});
