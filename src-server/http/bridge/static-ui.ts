/**
 * The built GUI served by `berth serve` at the server's root, beside `/v2/`: the renderer build
 * (see cli/gui-assets.ts for where it comes from, or `--ui-dir DIR`). `/` is the app, and the files
 * of the build are served as they are; every other path is 404, since the GUI routes by the URL's
 * hash (`/#/browse/...`) and no deep path needs the page. A browser's page load of an unknown path
 * gets a short page leading to `/`; anything else a plain 404. index.html is revalidated on every
 * load, Vite's hashed assets are cached for a year, and every answer carries a strict CSP. Paths
 * are resolved inside the folder only: `..`, encoded slashes and symbolic links out of it never
 * reach a file.
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { Context } from 'koa';

/** Matches src-renderer/index.html's meta CSP. */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The default GUI folder: electron-vite's renderer output, relative to the package root. */
export function defaultUiDir(packageRoot: string): string {
  return join(packageRoot, 'out', 'renderer');
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Berth: GUI not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The Berth GUI is not built</h1>
<p>This server found no built GUI (index.html) in <code>DIR</code>.</p>
<p>In the Berth source folder, <code>berth serve</code> builds it on its first start; for an installed Berth, build it
with <code>npm run build:cli</code> (it writes <code>out/renderer</code>), or point <code>berth serve --ui-dir DIR</code>
at a built GUI. The registry itself works: <a href="/v2/">/v2/</a>.</p>
</body></html>
`;

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Berth: no page here</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>No page here</h1>
<p>This Berth server has no page at this address. <a href="/">The Berth GUI is at /</a>;
registry clients use <code>/v2/</code>.</p>
</body></html>
`;

/** True when a browser loads a page (rather than a script, an image or an API client). */
function isPageLoad(ctx: Context): boolean {
  const mode = ctx.get('sec-fetch-mode');
  return mode ? mode === 'navigate' : ctx.get('accept').includes('text/html');
}

function securityHeaders(ctx: Context): void {
  ctx.set('Content-Security-Policy', UI_CSP);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
}

/** Options of {@link createStaticUi}. */
export interface StaticUiOptions {
  /** The built GUI's folder (index.html and assets/). */
  dir: string;
}

/** A Koa handler serving the GUI for paths outside `/v2` and `/_berth`: `/`, the build's files, else 404. */
export function createStaticUi(opts: StaticUiOptions): (ctx: Context) => Promise<void> {
  const root = resolve(opts.dir);
  const realRoot = () => (existsSync(root) ? realpathSync(root) : root);

  /** The file a URL path names inside the root, or undefined (missing, a folder, or outside). */
  function fileFor(urlPath: string): string | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
    const base = realRoot();
    const candidate = resolve(base, `.${decoded}`);
    if (candidate !== base && !candidate.startsWith(base + sep)) return undefined;
    if (!existsSync(candidate)) return undefined;
    // A symbolic link inside the folder must not lead out of it.
    const real = realpathSync(candidate);
    if (real !== base && !real.startsWith(base + sep)) return undefined;
    return statSync(real).isFile() ? real : undefined;
  }

  function send(ctx: Context, file: string, index: boolean): void {
    securityHeaders(ctx);
    ctx.type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    // Vite names assets by content hash: they never change, index.html always may.
    const hashed = !index && /[.-][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(file) && file.includes(`${sep}assets${sep}`);
    ctx.set('Cache-Control', index ? 'no-cache' : hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.status = 200;
    const size = statSync(file).size;
    if (ctx.method !== 'HEAD') ctx.body = createReadStream(file);
    ctx.length = size;
  }

  return async (ctx) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.type = 'application/json';
      ctx.body = { errors: [{ code: 'UNSUPPORTED', message: `${ctx.method} is not allowed here`, detail: null }] };
      return;
    }
    const index = fileFor('/index.html');
    const path = ctx.path === '/' ? '/index.html' : ctx.path;
    if (!index && path === '/index.html') {
      securityHeaders(ctx);
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 503;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = NOT_BUILT.replace('DIR', escapeHtml(root));
      return;
    }
    const file = fileFor(path);
    if (file) return send(ctx, file, file === index);
    securityHeaders(ctx);
    ctx.status = 404;
    ctx.set('Cache-Control', 'no-cache');
    if (isPageLoad(ctx)) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = NOT_FOUND_PAGE;
    } else {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'not found\n';
    }
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
