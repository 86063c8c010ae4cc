/**
 * The import rules of DESIGN.md, checked on every source file (the idea of go-containerregistry's
 * depcheck_test.go): src-server is plain Node, the renderer sees only the contract, the contract sees
 * nothing, and layers inside src-server only point down.
 *
 * Imports are read with TypeScript's own pre-processor (`ts.preProcessFile`), which finds static,
 * type-only, re-export, side-effect, dynamic and require imports and ignores comments and strings.
 * No import cycle is allowed either, type-only ones included: a cycle means two files that can only
 * be understood, tested and moved together.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCE_ROOTS = ['src-server', 'src-main', 'src-renderer'];

/** One import statement: the importing file, what it wrote, and where that points. */
interface ImportEdge {
  /** Repository-relative path of the importing file, with forward slashes. */
  file: string;
  /** The specifier as written. */
  spec: string;
  /** For relative specifiers: the repository-relative target path (no extension added). */
  target?: string;
  /** For bare specifiers: the package name (`@scope/name` or `name`). */
  pkg?: string;
}

/**
 * Rank of each src-server module; a module may import only modules of the same or a lower rank.
 * contract <- core <- storage/index/auth/tls/remote <- registry/gc/proxy <- http/services/cli/config.
 * Inside http/, the three faces (v2/, bridge/, control/) share only http/'s root, never each other.
 * A module not in this table is treated as the top rank, so new folders work at once but nothing
 * below may depend on them until they are placed here.
 */
const SERVER_RANKS: Record<string, number> = {
  contract: 0,
  core: 1,
  logger: 1,
  storage: 2,
  index: 2,
  auth: 2,
  tls: 2,
  remote: 2,
  connections: 2,
  audit: 2,
  registry: 3,
  gc: 3,
  proxy: 3,
  usage: 3,
  browse: 3,
  copy: 3,
  contents: 3,
  trash: 3,
  retention: 3,
  transports: 3,
  transfer: 3,
  sync: 3,
  http: 4,
  services: 4,
  cli: 4,
  config: 4,
  host: 4,
  serving: 4,
};
const TOP_RANK = 4;

/** Longest a source file may grow (tests excluded): past it, a module has more than one job. */
const MAX_SOURCE_LINES = 400;

/**
 * Imports between modules of one rank that are refused all the same (the rank table cannot say
 * these): the desktop's registry process (`host`) shares what it needs with `berth serve` through
 * `serving`, never through the CLI, and `serving` sits below both (issue 17).
 */
const SEPARATE_MODULES: ReadonlyArray<readonly [from: string, to: string]> = [
  ['host', 'cli'],
  ['serving', 'cli'],
  ['serving', 'host'],
];

/**
 * The registry's stores: private to registry/ (and storage/ itself). Everything else reaches the
 * registry through RegistryService or the narrow views registry/ hands out (issue 17).
 */
const REGISTRY_STORES = ['src-server/storage/blobs', 'src-server/storage/manifests', 'src-server/storage/uploads'];

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const ELECTRON_ONLY = /^(electron|keytar)(\/|$)/;

/** Lists every .ts/.tsx source under `dir` (tests excluded: they are not shipped). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...sourceFiles(full));
    } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

function toRepoPath(abs: string): string {
  return relative(ROOT, abs).split(/[\\/]/).join('/');
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

/** Reads the imports of one file (repository-relative path) from its text. */
function importsOf(file: string, text: string): ImportEdge[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map(({ fileName: spec }) => {
    // electron-vite suffixes (`?asset`) are not part of the path.
    const bare = spec.replace(/\?.*$/, '');
    if (bare.startsWith('.')) {
      return { file, spec, target: posix.normalize(posix.join(posix.dirname(file), bare)) };
    }
    return { file, spec, pkg: packageName(bare) };
  });
}

/** Every import edge of every source file in the repository. */
function scanRepository(): ImportEdge[] {
  return SOURCE_ROOTS.flatMap((dir) =>
    sourceFiles(join(ROOT, dir)).flatMap((abs) => importsOf(toRepoPath(abs), readFileSync(abs, 'utf8'))),
  );
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + '/');
}

/** The src-server module a path belongs to: its first folder, or a top-level file's base name. */
function serverModule(path: string): string {
  const rest = path.slice('src-server/'.length);
  const first = rest.split('/')[0] ?? rest;
  return rest.includes('/') ? first : first.replace(/\.tsx?$/, '');
}

/** The face of http/ a path belongs to (`v2`, `bridge` or `control`), or null for http/'s shared root and other folders. */
function httpFace(path: string): string | null {
  const m = /^src-server\/http\/([^/]+)\//.exec(path);
  return m ? m[1]! : null;
}

function rankOf(module: string): number {
  return SERVER_RANKS[module] ?? TOP_RANK;
}

/** Checks the rules and returns one message per offending import (empty when all hold). */
function violations(edges: ImportEdge[]): string[] {
  const out: string[] = [];
  const fail = (e: ImportEdge, why: string) => out.push(`${e.file}: import '${e.spec}' ${why}`);

  for (const e of edges) {
    if (within(e.file, 'src-server')) {
      if (e.pkg && ELECTRON_ONLY.test(e.pkg)) fail(e, 'pulls Electron-only code into src-server (plain Node)');
      if (e.target && !within(e.target, 'src-server')) fail(e, 'reaches outside src-server');
    }
    if (within(e.file, 'src-server/contract')) {
      if (e.pkg) fail(e, 'gives the contract a dependency (it must import nothing)');
      if (e.target && !within(e.target, 'src-server/contract')) fail(e, 'reaches outside src-server/contract');
    }
    if (within(e.file, 'src-server') && e.target && within(e.target, 'src-server')) {
      const from = serverModule(e.file);
      const to = serverModule(e.target);
      if (rankOf(to) > rankOf(from)) {
        fail(e, `points up: ${from} (layer ${rankOf(from)}) may not import ${to} (layer ${rankOf(to)})`);
      }
      if (SEPARATE_MODULES.some(([f, t]) => f === from && t === to)) {
        fail(e, `crosses over: ${from} may not import ${to} (what both need belongs in serving)`);
      }
      const store = REGISTRY_STORES.find((m) => e.target === m || e.target === `${m}.ts`);
      if (store && !within(e.file, 'src-server/registry') && !within(e.file, 'src-server/storage') && !/\.test\.tsx?$/.test(e.file)) {
        fail(e, `reaches into the registry's stores (${store}): use RegistryService or a view from registry/`);
      }
      const [fromFace, toFace] = [httpFace(e.file), httpFace(e.target)];
      if (fromFace && toFace && fromFace !== toFace) {
        fail(e, `crosses faces: http/${fromFace} may not import http/${toFace} (what both need belongs in http/'s root)`);
      }
    }
    if (within(e.file, 'src-renderer')) {
      if (e.pkg && (ELECTRON_ONLY.test(e.pkg) || NODE_BUILTINS.has(e.spec) || NODE_BUILTINS.has(e.pkg))) {
        fail(e, 'is not available in the renderer (web content only)');
      }
      if (e.target && !within(e.target, 'src-renderer') && !within(e.target, 'src-server/contract')) {
        fail(e, 'reaches outside src-renderer; the renderer may import only src-server/contract');
      }
    }
    if (within(e.file, 'src-main') && e.target && within(e.target, 'src-renderer')) {
      fail(e, 'loads renderer code into the main process');
    }
  }
  return out;
}

/** The module a relative import points at: the file itself, or the folder's index file. */
function resolveTarget(target: string, modules: ReadonlySet<string>): string | null {
  if (modules.has(target)) return target;
  if (modules.has(`${target}/index`)) return `${target}/index`;
  return null;
}

/**
 * The import cycles among the files the edges start from: each strongly connected group of two or
 * more files (or one importing itself), as its files in path order joined by ' <-> '.
 */
function importCycles(edges: ImportEdge[]): string[] {
  const strip = (f: string) => f.replace(/\.tsx?$/, '');
  const modules = new Set(edges.map((e) => strip(e.file)));
  const graph = new Map<string, string[]>([...modules].map((m) => [m, []]));
  for (const e of edges) {
    const to = e.target ? resolveTarget(e.target, modules) : null;
    if (to) graph.get(strip(e.file))!.push(to);
  }
  // Tarjan's algorithm, iterative so that a long chain of imports cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[] = [];
  let next = 0;
  for (const root of modules) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; edge: number }> = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = graph.get(frame.node)!;
      if (frame.edge < targets.length) {
        const to = targets[frame.edge++]!;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const group: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          group.push(member);
        } while (member !== frame.node);
        if (group.length > 1 || targets.includes(frame.node)) out.push(group.sort().join(' <-> '));
      }
    }
  }
  return out.sort();
}

describe('layering (import rules from DESIGN.md)', () => {
  const edges = scanRepository();

  it('reads the imports of the real tree', () => {
    // Guards the scanner itself: if it silently found nothing, every rule below would pass.
    expect(edges.length).toBeGreaterThan(50);
    expect(edges).toContainEqual({ file: 'src-server/http/v2/app.ts', spec: 'koa', pkg: 'koa' });
    expect(edges).toContainEqual({
      file: 'src-server/registry/registry.ts',
      spec: '../core/errors',
      target: 'src-server/core/errors',
    });
    expect(edges.some((e) => e.file === 'src-main/preload.ts' && e.target === 'src-server/contract')).toBe(true);
    expect(edges.some((e) => e.file.startsWith('src-renderer/') && e.target === 'src-server/contract')).toBe(true);
  });

  it('finds every kind of import statement and ignores comments and strings', () => {
    const text = [
      "import type { A } from './a';",
      'import {',
      '  b,',
      "} from './b';",
      "export { c } from './c';",
      "export * from './d';",
      "import './e';",
      "const f = await import('./f');",
      "const g = require('./g');",
      "// import x from './comment';",
      "const s = \"import y from './string'\";",
    ].join('\n');
    expect(importsOf('src-server/core/x.ts', text).map((e) => e.spec)).toEqual([
      './a',
      './b',
      './c',
      './d',
      './e',
      './f',
      './g',
    ]);
  });

  it('holds on the current tree', () => {
    expect(violations(edges)).toEqual([]);
  });

  it('keeps every source file at 400 lines or fewer (one job a module)', () => {
    const long = SOURCE_ROOTS.flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .map((abs) => ({ file: toRepoPath(abs), lines: readFileSync(abs, 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_SOURCE_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });

  it('finds no import cycle in src-server, src-main or src-renderer', () => {
    expect(importCycles(edges)).toEqual([]);
  });

  it('finds a planted cycle, a type-only one and a self-import, and names their files', () => {
    const planted = [
      ...importsOf('src-server/api/a.ts', "import { b } from './b';"),
      ...importsOf('src-server/api/b.ts', "import type { C } from './c';"),
      ...importsOf('src-server/api/c.ts', "export * from './a';"),
      ...importsOf('src-server/contract/index.ts', "export * from './browse';"),
      ...importsOf('src-server/contract/browse.ts', "import type { ApiError } from '.';"),
      ...importsOf('src-server/core/self.ts', "import './self';"),
      // Not a cycle: two files importing one third, which imports nothing back.
      ...importsOf('src-server/core/x.ts', "import { z } from './z';"),
      ...importsOf('src-server/core/y.ts', "import { z } from './z';"),
      ...importsOf('src-server/core/z.ts', "import { digest } from './digest';"),
    ];
    expect(importCycles(planted)).toEqual([
      'src-server/api/a <-> src-server/api/b <-> src-server/api/c',
      'src-server/contract/browse <-> src-server/contract/index',
      'src-server/core/self',
    ]);
  });

  // Each rule fires on a planted offender, and the message names the file and the import.
  const planted: Array<[string, string, string, RegExp]> = [
    ['src-server never imports electron', 'src-server/http/x.ts', 'electron', /pulls Electron-only/],
    ['src-server never imports electron subpaths', 'src-server/core/x.ts', 'electron/main', /Electron-only/],
    ['src-server never imports keytar', 'src-server/auth/x.ts', 'keytar', /Electron-only/],
    ['src-server never imports src-main', 'src-server/services.ts', '../src-main/windows', /outside src-server/],
    ['src-server never imports src-renderer', 'src-server/http/x.ts', '../../src-renderer/src/App', /outside/],
    ['the contract imports no package', 'src-server/contract/index.ts', 'yaml', /must import nothing/],
    ['the contract imports no other layer', 'src-server/contract/index.ts', '../core/errors', /outside src-server\/contract/],
    ['core never imports storage', 'src-server/core/x.ts', '../storage/layout', /core \(layer 1\) may not import storage/],
    ['core never imports index', 'src-server/core/x.ts', '../index/registry-index', /points up/],
    ['core never imports registry', 'src-server/core/x.ts', '../registry/registry', /points up/],
    ['core never imports http', 'src-server/core/x.ts', '../http/app', /points up/],
    ['core never imports services', 'src-server/core/x.ts', '../services', /points up/],
    ['storage never imports registry', 'src-server/storage/x.ts', '../registry/registry', /points up/],
    ['storage never imports http', 'src-server/storage/x.ts', '../http/errors', /points up/],
    ['index never imports registry', 'src-server/index/x.ts', '../registry/reconcile', /points up/],
    ['index never imports http', 'src-server/index/x.ts', '../http/util', /points up/],
    ['registry never imports http', 'src-server/registry/x.ts', '../http/app', /registry \(layer 3\) may not import http/],
    ['registry never imports the cli', 'src-server/registry/x.ts', '../cli', /points up/],
    ['the desktop host never imports the cli', 'src-server/host/x.ts', '../cli/serve', /host may not import cli/],
    ['the desktop host never imports the cli folder', 'src-server/host/x.ts', '../cli', /crosses over/],
    ['serving never imports the cli', 'src-server/serving/x.ts', '../cli/errors', /serving may not import cli/],
    ['serving never imports the desktop host', 'src-server/serving/x.ts', '../host/listeners', /serving may not import host/],
    ['the /v2 routes never reach into the blob store', 'src-server/http/v2/x.ts', '../../storage/blobs', /reaches into the registry's stores/],
    ['gc never reaches into the manifest store', 'src-server/gc/x.ts', '../storage/manifests', /use RegistryService or a view/],
    ['browsing never reaches into the upload store', 'src-server/browse/x.ts', '../storage/uploads', /registry's stores/],
    ['the /v2 routes never import the GUI bridge', 'src-server/http/v2/x.ts', '../bridge/api-bridge', /http\/v2 may not import http\/bridge/],
    ['the GUI bridge never imports the control server', 'src-server/http/bridge/x.ts', '../control/local-control', /crosses faces/],
    ['the control server never imports the /v2 routes', 'src-server/http/control/x.ts', '../v2/app', /crosses faces/],
    ['the renderer never imports electron', 'src-renderer/src/x.tsx', 'electron', /not available in the renderer/],
    ['the renderer never imports node builtins', 'src-renderer/src/x.ts', 'node:fs', /not available/],
    ['the renderer never imports bare builtins', 'src-renderer/src/x.ts', 'fs/promises', /not available/],
    ['the renderer never imports core', 'src-renderer/src/x.ts', '../../src-server/core/errors', /only src-server\/contract/],
    ['the renderer never imports src-main', 'src-renderer/src/x.ts', '../../src-main/windows', /outside src-renderer/],
    ['main never loads renderer code', 'src-main/x.ts', '../src-renderer/src/App', /renderer code/],
  ];
  it.each(planted)('rule: %s', (_rule, file, spec, why) => {
    const found = violations(importsOf(file, `import x from '${spec}';`));
    expect(found.length).toBeGreaterThan(0);
    for (const message of found) expect(message).toContain(`${file}: import '${spec}'`);
    expect(found.some((message) => why.test(message)), found.join('\n')).toBe(true);
  });

  // And the allowed directions stay allowed, so the rules are not simply "refuse everything".
  const allowed: Array<[string, string]> = [
    ['src-server/http/x.ts', '../registry/registry'],
    ['src-server/registry/x.ts', '../storage/blobs'],
    ['src-server/registry/x.ts', '../storage/uploads'],
    ['src-server/http/v2/x.ts', '../../registry/service'],
    ['src-server/storage/x.ts', '../core/digest'],
    ['src-server/storage/x.ts', '../index/registry-index'],
    ['src-server/core/x.ts', '../contract'],
    ['src-server/services.ts', './http/v2/app'],
    ['src-server/http/v2/x.ts', '../errors'],
    ['src-server/http/bridge/x.ts', '../origin-guard'],
    ['src-server/host/x.ts', '../serving/listen'],
    ['src-server/cli/x.ts', '../serving/listen'],
    ['src-server/contract/x.ts', './index'],
    ['src-renderer/src/x.tsx', '../../src-server/contract'],
    ['src-renderer/src/x.tsx', 'react-dom/client'],
    ['src-main/x.ts', 'electron'],
    ['src-main/x.ts', '../src-server/services'],
  ];
  it.each(allowed)('allows %s -> %s', (file, spec) => {
    expect(violations(importsOf(file, `import x from '${spec}';`))).toEqual([]);
  });
});
