/**
 * electron-builder packaging (electron-builder.yml), as far as it can be checked without the internet:
 * the config passes electron-builder's own schema and names files that exist, and a real
 * `electron-builder --linux dir` run, with a stand-in Electron binary and without the native rebuild
 * (both need downloads), packs an app.asar that holds the build and the runtime dependencies, unpacks
 * the native addons, leaves sources and tests out, and flips the Electron fuses.
 * Installers (AppImage, deb, dmg, nsis), the rebuild for Electron's ABI and signing are not run here.
 */
import { spawn } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/berth-server';

const ROOT = resolve(import.meta.dirname, '..');
const STEP_TIMEOUT_MS = 120_000;

// electron-builder's own libraries, resolved the way it resolves them (none is a direct dependency).
const requireFromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder/package.json'));
const requireFromLib = createRequire(requireFromBuilder.resolve('app-builder-lib/package.json'));
interface BuilderConfig {
  [key: string]: unknown;
  linux?: { target?: unknown; icon?: string; category?: string; maintainer?: string; desktop?: { entry?: Record<string, string> } };
  mac?: { target?: unknown; icon?: string; category?: string; hardenedRuntime?: boolean; entitlements?: string; entitlementsInherit?: string; identity?: unknown };
  win?: { target?: unknown; icon?: string };
  nsis?: { oneClick?: boolean; allowToChangeInstallationDirectory?: boolean; artifactName?: string };
  directories?: { output?: string; buildResources?: string };
}
const configLib = requireFromLib('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, debugLogger: { isEnabled: boolean; add(k: string, v: unknown): void }): Promise<void>;
};
const asar = requireFromLib('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  statFile(archive: string, filename: string, followLinks?: boolean): { unpacked?: boolean; files?: unknown };
  extractFile(archive: string, filename: string): Buffer;
};

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  homepage?: string;
  repository?: string | { url?: string };
  dependencies?: Record<string, string>;
};
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const noDebug = { isEnabled: false, add: () => {} };

function targetNames(target: unknown): string[] {
  const list = Array.isArray(target) ? target : [target];
  return list.map((t) => (typeof t === 'string' ? t : (t as { target: string }).target));
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

/** Runs node with args in its own process group, killed whole (npm children too) on timeout. */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      rej(new Error(`${args.slice(0, 2).join(' ')} did not finish in ${STEP_TIMEOUT_MS} ms:\n${output}`));
    }, STEP_TIMEOUT_MS);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, output });
    });
  });
}

// An Electron "binary" carrying the fuse wire that @electron/fuses rewrites (sentinel, wire version 1,
// length, one byte per fuse: '1' enabled), next to the files of a Linux Electron dist.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Indices of @electron/fuses' FuseV1Options.
const FUSE = { RunAsNode: 0, EnableNodeOptionsEnvironmentVariable: 2, EnableNodeCliInspectArguments: 3, OnlyLoadAppFromAsar: 5 };

function writeStandInElectron(dir: string, version: string): void {
  mkdirSync(join(dir, 'locales'), { recursive: true });
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const wire = Buffer.concat([Buffer.from(`#!/bin/sh\nexit 0\n# ${FUSE_SENTINEL}`), Buffer.from([1, 8]), Buffer.from('11111001\n')]);
  writeFileSync(join(dir, 'electron'), wire, { mode: 0o755 });
  writeFileSync(join(dir, 'chrome-sandbox'), '', { mode: 0o755 });
  writeFileSync(join(dir, 'locales/en-US.pak'), '');
  writeFileSync(join(dir, 'LICENSE'), 'MIT');
  writeFileSync(join(dir, 'version'), version);
}

function fuseStates(binary: string): string {
  const bytes = readFileSync(binary);
  const at = bytes.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
  return bytes.subarray(at + 2, at + 2 + bytes[at + 1]!).toString('latin1');
}

describe('electron-builder config', () => {
  let config: BuilderConfig;
  beforeAll(async () => {
    config = await configLib.getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
  });

  it("passes electron-builder's own schema, which rejects a misspelt key", async () => {
    await expect(configLib.validateConfiguration(structuredClone(config), noDebug)).resolves.toBeUndefined();
    const typo = { ...structuredClone(config), linux: { ...config.linux, tagret: 'deb' } };
    await expect(configLib.validateConfiguration(typo, noDebug)).rejects.toThrow(/configuration\.linux/);
  });

  it('names the app and builds AppImage and deb, dmg, and nsis into dist/ without publishing', () => {
    expect(config.appId).toBe('dev.berth.app');
    expect(config.productName).toBe('Berth');
    expect(config.directories).toEqual({ output: 'dist', buildResources: 'build' });
    expect(config.publish).toBeNull();
    expect(targetNames(config.linux?.target).sort()).toEqual(['AppImage', 'deb']);
    expect(targetNames(config.mac?.target)).toEqual(['dmg']);
    expect(targetNames(config.win?.target)).toEqual(['nsis']);
    expect(config.linux?.category).toBe('Development');
    expect(config.mac?.category).toBe('public.app-category.developer-tools');
  });

  it('lets the Windows user choose the install folder, and names every installer with version and arch', () => {
    expect(config.nsis?.oneClick).toBe(false);
    expect(config.nsis?.allowToChangeInstallationDirectory).toBe(true);
    for (const name of [config.artifactName, config.nsis?.artifactName]) {
      expect(name).toMatch(/\$\{version\}/);
      expect(name).toMatch(/\$\{arch\}/);
    }
  });

  it('signs macOS under the hardened runtime only when a certificate is given, with the JIT allowed', () => {
    expect(config.mac?.hardenedRuntime).toBe(true);
    // An identity in the config would make every build without that certificate fail.
    expect(config.mac?.identity).toBeUndefined();
    expect(config.cscLink ?? config.forceCodeSigning).toBeUndefined();
    const plist = readFileSync(join(ROOT, config.mac!.entitlements!), 'utf8');
    expect(plist).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    expect(config.mac?.entitlementsInherit).toBe(config.mac?.entitlements);
  });

  it('points at icons and entitlements that exist, with an icon large enough for icns and ico', () => {
    const files = [config.linux?.icon, config.mac?.icon, config.win?.icon, config.mac?.entitlements];
    for (const file of files) expect(file && existsSync(join(ROOT, file)), String(file)).toBe(true);
    const png = readFileSync(join(ROOT, config.mac!.icon!));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // IHDR width and height; electron-builder wants 512 for icns (256 for ico).
    expect(Math.min(png.readUInt32BE(16), png.readUInt32BE(20))).toBeGreaterThanOrEqual(512);
  });

  it('writes a desktop entry electron-builder accepts, and a deb maintainer', () => {
    // electron-builder refuses an Exec in the entry (it sets it from executableName).
    expect(config.linux?.desktop?.entry?.Exec).toBeUndefined();
    expect(config.linux?.desktop?.entry?.Name).toBe('Berth');
    expect(config.linux?.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
  });

  it('gives fpm the project homepage a deb needs (package.json homepage or a GitHub repository)', () => {
    // Without one, `electron-builder --linux deb` stops with "Please specify project homepage".
    const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    const homepage = pkg.homepage ?? (repo && /github/.test(repo) ? repo : '');
    expect(homepage, 'package.json needs "homepage" for the deb').toMatch(/^(https?:\/\/|git\+https:\/\/|github:)/);
  });
});

describe('electron-builder --linux dir (stand-in Electron, no native rebuild)', () => {
  const tmp = tempDir('berth-packaging-');
  const app = join(tmp.dir, 'app');
  const dist = join(tmp.dir, 'dist');
  const unpacked = join(dist, 'linux-unpacked');
  const archive = join(unpacked, 'resources/app.asar');
  let result: { code: number | null; output: string };
  let entries: string[] = [];

  beforeAll(async () => {
    // A copy of the project as electron-builder sees it: the build in out/, the files the config
    // names, the installed node_modules, and decoys of everything that must stay out.
    mkdirSync(app);
    for (const f of ['package.json', 'electron-builder.yml', 'resources', 'build']) cpSync(join(ROOT, f), join(app, f), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
    for (const decoy of ['src-server/decoy.ts', 'src-main/decoy.ts', 'src-renderer/decoy.tsx', 'test/decoy.test.ts', 'bench/decoy.ts', 'docs/decoy.md', 'bin/berth.mjs', 'README.md', 'tsconfig.json', 'out/cli/berth.mjs']) {
      mkdirSync(join(app, posix.dirname(decoy)), { recursive: true });
      writeFileSync(join(app, decoy), '// must not be packaged\n');
    }
    const vite = await run([join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', join(app, 'out')], ROOT, {
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
    });
    if (vite.code !== 0) throw new Error(`electron-vite build failed:\n${vite.output}`);
    writeFileSync(join(app, 'out/main/index.js.map'), '{}');

    const electronVersion = (requireFromBuilder('electron/package.json') as { version: string }).version;
    writeStandInElectron(join(tmp.dir, 'electron'), electronVersion);
    result = await run(
      [
        requireFromBuilder.resolve('electron-builder/cli.js'), '--linux', 'dir', '--projectDir', app,
        `-c.electronDist=${join(tmp.dir, 'electron')}`, '-c.npmRebuild=false', `-c.directories.output=${dist}`,
      ],
      app,
    );
    if (existsSync(archive)) entries = asar.listPackage(archive, { isPack: false }).map((e) => e.replace(/\\/g, '/').replace(/^\//, ''));
  }, 2 * STEP_TIMEOUT_MS + 10_000);
  afterAll(() => tmp.cleanup());

  it('packs app.asar next to the renamed Electron binary', () => {
    expect(result.code, result.output).toBe(0);
    expect(existsSync(archive)).toBe(true);
    expect(existsSync(join(unpacked, 'berth-desktop'))).toBe(true);
    // Never publishing means no update feed is written into the app.
    expect(existsSync(join(unpacked, 'resources/app-update.yml'))).toBe(false);
  });

  it('holds the main, preload and renderer bundles, and a package.json that starts them', () => {
    for (const f of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'package.json']) expect(entries).toContain(f);
    const packed = JSON.parse(asar.extractFile(archive, 'package.json').toString()) as Record<string, unknown>;
    expect(packed.main).toBe(pkg.main);
    expect(packed.type).toBe('module');
    expect(packed.desktopName).toBe('berth.desktop');
    expect(packed.devDependencies).toBeUndefined();
  });

  it('holds every runtime dependency and no build tooling', () => {
    for (const dep of Object.keys(pkg.dependencies ?? {})) expect(entries, dep).toContain(`node_modules/${dep}/package.json`);
    for (const tool of ['electron', 'electron-builder', 'electron-vite', 'vite', 'vitest', 'typescript', 'esbuild', 'playwright-core', 'tsx']) {
      expect(entries, tool).not.toContain(`node_modules/${tool}/package.json`);
    }
  });

  it('finds every file and package the main process loads inside the archive', () => {
    const mainFiles = entries.filter((e) => e.startsWith('out/main/') && /\.[cm]?js$/.test(e));
    expect(mainFiles).toContain('out/main/index.js');
    const missing: string[] = [];
    for (const file of mainFiles) {
      const code = asar.extractFile(archive, file).toString();
      // Paths opened at run time relative to the bundle: preload, renderer, resources/ icons, entries.
      const paths = [...code.matchAll(/new URL\("([^"]+)", import\.meta\.url\)|join\(import\.meta\.dirname, "([^"]+)"\)/g)].map((m) => (m[1] ?? m[2])!);
      for (const rel of paths) {
        const target = posix.normalize(posix.join(posix.dirname(file), rel));
        if (!entries.includes(target)) missing.push(`${file}: ${rel} -> ${target}`);
      }
      for (const spec of ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName)) {
        if (spec.startsWith('.') || NODE_BUILTINS.has(spec) || packageName(spec) === 'electron') continue;
        if (!entries.includes(`node_modules/${packageName(spec)}/package.json`)) missing.push(`${file}: package ${spec}`);
      }
    }
    expect(missing).toEqual([]);
    expect(entries).toContain('resources/icon.png');
  });

  it('unpacks the native addons of better-sqlite3 and keytar beside the archive, and packs no .node file', () => {
    for (const addon of ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/keytar/build/Release/keytar.node']) {
      expect(asar.statFile(archive, addon).unpacked, addon).toBe(true);
      expect(existsSync(join(unpacked, 'resources/app.asar.unpacked', addon)), addon).toBe(true);
    }
    const packedNative = entries.filter((e) => e.endsWith('.node') && !asar.statFile(archive, e).unpacked);
    expect(packedNative).toEqual([]);
    // better-sqlite3's SQLite sources and compiler output stay behind.
    expect(entries.filter((e) => /^node_modules\/better-sqlite3\/(deps|src|build\/Release\/obj)\//.test(e))).toEqual([]);
  });

  it('leaves sources, tests, docs, the CLI bundle, source maps and build assets out', () => {
    const topLevel = new Set(entries.map((e) => e.split('/')[0]));
    expect([...topLevel].sort()).toEqual(['node_modules', 'out', 'package.json', 'resources']);
    expect(entries.filter((e) => e.startsWith('out/cli/') || e.endsWith('.map') && e.startsWith('out/'))).toEqual([]);
    expect(readdirSync(join(unpacked, 'resources')).sort()).toEqual(['app.asar', 'app.asar.unpacked']);
  });

  it('flips the fuses that keep Electron from running as plain Node or loading code from outside app.asar', () => {
    const states = fuseStates(join(unpacked, 'berth-desktop'));
    expect(states[FUSE.RunAsNode]).toBe('0');
    expect(states[FUSE.EnableNodeOptionsEnvironmentVariable]).toBe('0');
    expect(states[FUSE.EnableNodeCliInspectArguments]).toBe('0');
    expect(states[FUSE.OnlyLoadAppFromAsar]).toBe('1');
  });
});
