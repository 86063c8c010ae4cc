/**
 * The GUI's files served by `berth serve --ui` beside /v2 and /token: caching, CSP, the SPA
 * fallback, path traversal, and the page shown when the GUI is not built.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berthWorkspace } from '../helpers/berth-server';
import { testConnection } from '../../src-server/remote/probe';
import { send } from './client';

const ws = berthWorkspace('berth-bridge-ui-');
const INDEX = '<!doctype html><title>Berth test GUI</title><script type="module" src="/assets/index-Ab12Cd34.js"></script>';

function makeUiDir(): string {
  const dir = join(ws.dir, 'ui');
  if (existsSync(dir)) return dir;
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-Ab12Cd34.js'), 'console.log("berth")\n');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(ws.dir, 'secret.txt'), 'outside the GUI folder');
  symlinkSync(join(ws.dir, 'secret.txt'), join(dir, 'link.txt'));
  return dir;
}

describe('the built GUI at /', () => {
  it('serves index.html with a strict CSP, assets immutable, client routes to index.html, nothing outside', async () => {
    const dir = makeUiDir();
    const berth = await ws.serve(ws.fresh(), ['--auth', 'token', '--ui', '--ui-dir', dir]);
    const root = await send(berth.url, 'GET', '/');
    expect(root.status).toBe(200);
    expect(root.text).toBe(INDEX);
    expect(root.headers['content-type']).toMatch(/^text\/html/);
    expect(root.headers['cache-control']).toBe('no-cache');
    const csp = String(root.headers['content-security-policy']);
    expect(csp).toMatch(/^default-src 'self';/);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(root.headers['x-frame-options']).toBe('DENY');
    expect(root.headers['x-content-type-options']).toBe('nosniff');

    const asset = await send(berth.url, 'GET', '/assets/index-Ab12Cd34.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await send(berth.url, 'GET', '/favicon.svg')).headers['content-type']).toBe('image/svg+xml');

    expect((await send(berth.url, 'GET', '/index.html')).text).toBe(INDEX);
    expect((await send(berth.url, 'GET', '/assets/missing-00000000.js')).status).toBe(404);

    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/link.txt', '/%00']) {
      const r = await send(berth.url, 'GET', path);
      expect(r.text, path).not.toContain('outside the GUI folder');
    }
    expect((await send(berth.url, 'POST', '/', { body: 'x' })).status).toBe(405);

    // The registry and its token endpoint are untouched.
    const v2 = await send(berth.url, 'GET', '/v2/');
    expect(v2.status).toBe(401);
    expect(v2.json.errors[0].code).toBe('UNAUTHORIZED');
    const token = await send(berth.url, 'GET', '/token?service=berth');
    expect(token.text).not.toBe(INDEX);
    expect(token.headers['content-type']).toMatch(/json/);
    expect((await send(berth.url, 'GET', '/v2/nothing-here/x')).text).not.toBe(INDEX);
  });

  it('says how to build the GUI when there is none', async () => {
    const berth = await ws.serve(ws.fresh(), ['--auth', 'basic', '--ui', '--ui-dir', join(ws.dir, 'not-built')]);
    const r = await send(berth.url, 'GET', '/');
    expect(r.status).toBe(503);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.text).toContain('npm run build');
    expect(r.text).toContain('not-built');
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    // The bridge still answers: the GUI could be served from elsewhere.
    expect((await send(berth.url, 'GET', '/_berth/api/session')).status).toBe(401);
    expect((await send(berth.url, 'GET', '/_berth/other')).status).toBe(404);
  });

  it('answers as a registry on /v2 only: the GUI carries no registry header, unknown paths are 404', async () => {
    const berth = await ws.serve(ws.fresh(), ['--auth', 'none', '--ui', '--ui-dir', makeUiDir()]);
    const v2 = await send(berth.url, 'GET', '/v2/');
    expect(v2.status).toBe(200);
    expect(v2.headers['docker-distribution-api-version']).toBe('registry/2.0');
    expect((await send(berth.url, 'GET', '/v2/nothing-here/tags/list')).headers['docker-distribution-api-version']).toBe('registry/2.0');

    for (const path of ['/', '/index.html', '/assets/index-Ab12Cd34.js', '/favicon.svg', '/_berth/api/session']) {
      const r = await send(berth.url, 'GET', path);
      expect(r.headers['docker-distribution-api-version'], path).toBeUndefined();
    }
    // The GUI routes by hash (`/#/browse/...`): no other path needs the page.
    for (const path of ['/some/path', '/some/path/v2/', '/browse/local/app', '/v2x', '/token2']) {
      const r = await send(berth.url, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.text, path).not.toBe(INDEX);
      expect(r.headers['docker-distribution-api-version'], path).toBeUndefined();
    }
    // A browser's page load of an unknown path gets a page in words that leads to the GUI.
    const nav = await send(berth.url, 'GET', '/some/path', { headers: { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' } });
    expect(nav.status).toBe(404);
    expect(nav.headers['content-type']).toMatch(/^text\/html/);
    expect(nav.text).toContain('href="/"');
    expect(nav.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('makes a connection test of a path on the GUI server say "not a registry"', async () => {
    const berth = await ws.serve(ws.fresh(), ['--auth', 'none', '--ui', '--ui-dir', makeUiDir()]);
    for (const url of [`${berth.url}/some/path`, `${berth.url}/browse`]) {
      const r = await testConnection({ url });
      expect(r.ok, url).toBe(false);
      expect(r.error?.code, url).toBe('NOT_A_REGISTRY');
      expect(r.error?.message, url).toContain('not as a container registry');
    }
    // The server's own address still tests as the registry it is.
    expect(await testConnection({ url: berth.url })).toMatchObject({ ok: true, apiVersion: 'registry/2.0' });
  });
});
