import { describe, expect, it } from 'vitest';
import { isAllowedNavigation, mainWindowOptions, rendererLocation } from './windows';

describe('mainWindowOptions', () => {
  it('creates a sandboxed, isolated window with the given preload', () => {
    const opts = mainWindowOptions('/app/out/preload/index.cjs');
    expect(opts.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(opts.show).toBe(false);
    expect(opts.icon).toBeUndefined();
    expect(mainWindowOptions('/p', '/icon.png').icon).toBe('/icon.png');
  });
});

describe('rendererLocation', () => {
  const html = '/app/out/renderer/index.html';
  it('uses the dev server only when unpackaged and on loopback', () => {
    expect(rendererLocation({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, false, html)).toEqual({
      kind: 'url',
      url: 'http://localhost:5173',
    });
    expect(rendererLocation({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, true, html)).toEqual({ kind: 'file', path: html });
    expect(rendererLocation({ ELECTRON_RENDERER_URL: 'https://evil.example/' }, false, html)).toEqual({ kind: 'file', path: html });
    expect(rendererLocation({ ELECTRON_RENDERER_URL: 'file:///etc/passwd' }, false, html)).toEqual({ kind: 'file', path: html });
    expect(rendererLocation({}, false, html)).toEqual({ kind: 'file', path: html });
  });
});

describe('isAllowedNavigation', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['hash change in the built app', 'file:///app/out/renderer/index.html#/repos', 'file:///app/out/renderer/index.html', true],
    ['another local file', 'file:///etc/passwd', 'file:///app/out/renderer/index.html', false],
    ['the same path on another host (a UNC share)', 'file://server/app/out/renderer/index.html', 'file:///app/out/renderer/index.html', false],
    ['a remote site from the built app', 'https://example.com/', 'file:///app/out/renderer/index.html', false],
    ['same origin on the dev server', 'http://localhost:5173/other', 'http://localhost:5173/', true],
    ['another port on the dev host', 'http://localhost:5174/', 'http://localhost:5173/', false],
    ['a remote site from the dev server', 'https://example.com/', 'http://localhost:5173/', false],
    ['javascript: URL', 'javascript:alert(1)', 'http://localhost:5173/', false],
    ['garbage', 'not a url', 'file:///app/out/renderer/index.html', false],
  ];
  it.each(cases)('%s', (_desc, target, app, allowed) => {
    expect(isAllowedNavigation(target, app)).toBe(allowed);
  });
});
