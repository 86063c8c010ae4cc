/**
 * `electron-vite build` works on this checkout without the Electron binary, and what it writes is a
 * loadable, locked-down app: main, sandboxed preload and renderer bundles; the renderer keeps its
 * strict Content-Security-Policy; and the main bundle needs nothing that an installed Berth lacks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/berth-server';
import { BUILD_TIMEOUT_MS, electronViteBuild } from './helpers/electron-vite';

const ROOT = resolve(import.meta.dirname, '..');

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  dependencies?: Record<string, string>;
};
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
// What `require` offers a sandboxed preload (Electron's docs, "Process Sandboxing").
const SANDBOX_PRELOAD_MODULES = new Set(['electron', 'events', 'timers', 'url', 'node:events', 'node:timers', 'node:url']);

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

function specifiers(code: string): string[] {
  return ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
}


/** Parses the CSP of the first `<meta http-equiv="Content-Security-Policy">` into directive -> sources. */
function cspOf(html: string): Map<string, string[]> | null {
  const meta = /<meta\s[^>]*http-equiv="Content-Security-Policy"[^>]*>/i.exec(html)?.[0];
  // The policy quotes its keywords with ' so the attribute is double-quoted.
  const content = meta && /\scontent="([^"]*)"/i.exec(meta)?.[1];
  if (!content) return null;
  const directives = new Map<string, string[]>();
  for (const part of content.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

describe('electron-vite build', () => {
  const tmp = tempDir('berth-electron-build-');
  const out = join(tmp.dir, 'out');
  let result: { code: number | null; output: string };

  beforeAll(async () => {
    result = await electronViteBuild(out);
  }, BUILD_TIMEOUT_MS + 10_000);
  afterAll(() => tmp.cleanup());

  it('succeeds without the Electron binary', () => {
    expect(result.code, result.output).toBe(0);
  });

  it('writes the main, preload and renderer bundles where package.json and the main process expect them', () => {
    // package.json "main" is ./out/main/index.js; the temp build mirrors out/.
    expect(pkg.main).toBe('./out/main/index.js');
    expect(existsSync(join(out, 'main/index.js'))).toBe(true);
    expect(existsSync(join(out, 'preload/index.cjs'))).toBe(true);
    expect(existsSync(join(out, 'renderer/index.html'))).toBe(true);
  });

  it('points the main process only at files that exist beside it', () => {
    const main = readFileSync(join(out, 'main/index.js'), 'utf8');
    // Paths the main process opens at run time, relative to its own bundle.
    const paths = [
      ...[...main.matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)].map((m) => m[1]!),
      ...[...main.matchAll(/join\(import\.meta\.dirname, "([^"]+)"\)/g)].map((m) => m[1]!),
    ];
    expect(paths).toEqual(expect.arrayContaining(['../preload/index.cjs', '../renderer/index.html']));
    for (const rel of paths) {
      // The build is written to a temp out/, so a path that leaves it (resources/) is relative to
      // that temp folder; resolving from where the bundle was written works wherever the checkout is.
      const target = resolve(out, 'main', rel);
      expect(existsSync(target), `${rel} -> ${target}`).toBe(true);
    }
  });

  it('emits the password-check thread beside the registry process that starts it', () => {
    const host = readFileSync(join(out, 'main/registry-host.js'), 'utf8');
    const workers = [...host.matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)].map((m) => m[1]!);
    expect(workers).toContain('./bcrypt-worker.js');
    for (const rel of workers) expect(existsSync(resolve(out, 'main', rel)), rel).toBe(true);
    // Loaded by Node as a worker: an ES module that reads its job from the parent port.
    expect(readFileSync(join(out, 'main/bcrypt-worker.js'), 'utf8')).toMatch(/parentPort/);
  });

  it('keeps the window locked down in the built main process', () => {
    const main = readFileSync(join(out, 'main/index.js'), 'utf8');
    for (const flag of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'webSecurity: true']) {
      expect(main, flag).toContain(flag);
    }
    expect(main).toContain('requestSingleInstanceLock');
    expect(main).toContain('setWindowOpenHandler');
    expect(main).toMatch(/action: "deny"/);
  });

  it('renders HTML under a strict Content-Security-Policy, with every script a file of the bundle', () => {
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8');
    const csp = cspOf(html);
    expect(csp, 'renderer/index.html has no CSP meta tag').not.toBeNull();
    expect(csp!.get('default-src')).toEqual(["'self'"]);
    const scriptSrc = csp!.get('script-src') ?? csp!.get('default-src')!;
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(csp!.get('object-src')).toEqual(["'none'"]);

    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [tag, attrs = '', body = ''] of scripts) {
      // An inline script would be refused by the CSP above and leave a blank window.
      expect(body.trim(), tag).toBe('');
      const src = /\bsrc=["']([^"']+)["']/.exec(attrs)?.[1];
      expect(src, tag).toBeDefined();
      expect(src!.startsWith('./'), `${src} must be relative to load from file://`).toBe(true);
      expect(existsSync(join(out, 'renderer', src!)), src).toBe(true);
      // Without 'unsafe-eval' these would throw at run time.
      expect(readFileSync(join(out, 'renderer', src!), 'utf8')).not.toMatch(/\beval\(|\bnew Function\(/);
    }
  });

  it('bundles a main process that imports only builtins, electron and declared dependencies', () => {
    const allowed = new Set(Object.keys(pkg.dependencies ?? {}));
    const files = readdirSync(join(out, 'main'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.[cm]?js$/.test(f));
    const bad: string[] = [];
    let seen = 0;
    for (const file of files) {
      for (const spec of specifiers(readFileSync(join(out, 'main', file), 'utf8'))) {
        seen++;
        if (spec.startsWith('.')) {
          if (!existsSync(resolve(join(out, 'main'), dirname(file), spec))) bad.push(`${file}: missing relative import ${spec}`);
        } else if (!NODE_BUILTINS.has(spec) && packageName(spec) !== 'electron' && !allowed.has(packageName(spec))) {
          bad.push(`${file}: imports ${spec}, which is not a builtin, electron or a package.json dependency`);
        }
      }
    }
    expect(seen).toBeGreaterThan(0);
    expect(bad).toEqual([]);
  });

  it('bundles the preload as one CommonJS file that a sandboxed renderer can load', () => {
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    // Sandboxed preloads are plain scripts: no ES module syntax, and `require` only of a fixed few.
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    const required = specifiers(preload);
    expect(required).toContain('electron');
    for (const spec of required) expect(SANDBOX_PRELOAD_MODULES.has(spec), `preload requires ${spec}`).toBe(true);
    expect(preload).toContain('exposeInMainWorld("berth"');
    // The contract's channel names are inlined, not loaded from another file.
    expect(preload).toContain('registry:status');
  });
});
