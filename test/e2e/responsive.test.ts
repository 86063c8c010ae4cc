/**
 * The GUI at 900 and 768 px wide (and 1280, the navigation beside the screen), in real Chromium
 * against a real `berth serve`: the navigation folds behind the burger, no screen makes the page
 * scroll sideways, a table wider than the screen scrolls in its own box, every button and link (Edit,
 * Remove) is inside the window, digests, media types and URLs stay whole on one line (cut with an
 * ellipsis, never broken mid-word), badges are not cut, and no page load asks for a file that is not
 * there (the favicon). Screenshots at 900 px and in dark mode go to docs/screenshots for README.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { berthWorkspace } from '../helpers/berth-server';
import { guiSession } from './harness';

const ws = berthWorkspace('berth-e2e-responsive-');
const LONG_REPO = 'team/a-rather-long-repository-name-for-narrow-screens/service';
const LONG_TAG = 'v1.2.3-built-from-a-long-branch-name-2026-12-07';
/** A connection whose URL is longer than a narrow window's URL column. */
const LONG_URL = 'https://registry-mirror.build-infrastructure.a-company-with-a-long-name.invalid:5443';
const creds = () => `admin:${gui.server.password}`;

/** Calls the GUI's API (`/_berth/api`) as the admin, the way the GUI does. */
async function invoke(base: string, password: string, channel: string, args: unknown): Promise<void> {
  const login = await fetch(`${base}/_berth/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const r = await fetch(`${base}/_berth/api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-berth-csrf': csrfToken, cookie },
    body: JSON.stringify(args),
  });
  if (!r.ok) throw new Error(`${channel}: ${r.status} ${await r.text()}`);
}
const gui = guiSession(ws, {
  prepare: async (s) => {
    const push = (src: string, dest: string, extra: string[] = []) =>
      s.skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', creds(), ...extra, `oci:${s.images.layout.dir}:${src}`, s.ref(dest)]);
    await push('multi', 'demo/app:1.0', ['--all']);
    await push('amd64', `${LONG_REPO}:${LONG_TAG}`);
    // Never contacted: the connections screen only lists it (.invalid names resolve nowhere).
    await invoke(s.server.berth.url, s.server.password, 'connections:add', {
      name: 'build mirror',
      kind: 'registry',
      url: LONG_URL,
      username: 'ci-robot-with-a-long-name',
      password: 'not-used',
    });
  },
});

/** Every screen, by its hash. */
const SCREENS: Record<string, string> = {
  registry: '/registry',
  connections: '/connections',
  repositories: '/browse/local',
  tags: `/browse/local/${encodeURIComponent(LONG_REPO)}`,
  image: `/browse/local/${encodeURIComponent(LONG_REPO)}/${encodeURIComponent(LONG_TAG)}`,
  'multi-arch image': `/browse/local/${encodeURIComponent('demo/app')}/1.0`,
  storage: '/storage',
  users: '/users',
  certificates: '/certificates',
  activity: '/activity',
};

/** Opens a screen and waits until it has drawn its data (a heading, no spinner left). */
async function open(page: Page, hash: string): Promise<void> {
  await gui.go(hash);
  await page.locator('main :is(h1, h2, h3, h4)').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('main .mantine-Loader-root'));
}

/** What sticks out sideways: the page's overflow, and buttons and links outside the window. */
function overflow(page: Page) {
  return page.evaluate(() => {
    const de = document.documentElement;
    const outside = [...document.querySelectorAll<HTMLElement>('button, a[href], input, [role="tab"]')]
      // The folded navigation is out of the window on purpose (and inert); the skip link until focused.
      .filter((e) => !e.closest('[inert]') && !e.classList.contains('berth-skip-link') && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.left < -1 || r.right > window.innerWidth + 1))
      .map(({ e, r }) => `${e.tagName.toLowerCase()} "${(e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 40)}" at ${Math.round(r.left)}..${Math.round(r.right)}`);
    // A table wider than the window must scroll inside its own box (one inside the window).
    const tables = [...document.querySelectorAll<HTMLElement>('main table')]
      .filter((t) => t.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((t) => {
        for (let e = t.parentElement; e && e !== document.body; e = e.parentElement) {
          if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX)) return e.getBoundingClientRect().right > window.innerWidth + 1;
        }
        return true;
      })
      .map((t) => `table "${t.getAttribute('aria-label') ?? ''}" (to ${Math.round(t.getBoundingClientRect().right)} px) scrolls with the page`);
    // Digests, media types and URLs: each one whole on one line (a line box per rect; ellipsis is fine).
    const TOKENS = /(?:sha256:[0-9a-f]{6,}|application\/vnd\.[\w.+-]+|https?:\/\/[^\s)]+)/g;
    const broken: string[] = [];
    const walker = document.createTreeWalker(document.querySelector('main')!, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? '';
      for (const m of text.matchAll(TOKENS)) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(`"${m[0].slice(0, 50)}" breaks over ${tops.size} lines`);
      }
    }
    // Badges squeezed until Mantine cuts their label with an ellipsis.
    for (const e of document.querySelectorAll<HTMLElement>('main .mantine-Badge-label')) {
      if (e.scrollWidth > e.clientWidth + 1) broken.push(`badge "${e.textContent}" is cut (${e.clientWidth} of ${e.scrollWidth} px shown)`);
    }
    return { scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, outside, tables, broken };
  });
}

/** Everything {@link overflow} finds, screen by screen, in words. */
async function problemsOnEveryScreen(page: Page, width: number): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, hash] of Object.entries(SCREENS)) {
    await open(page, hash);
    const o = await overflow(page);
    if (o.scrollWidth > o.clientWidth) problems.push(`${name}: the page is ${o.scrollWidth} px wide in a ${o.clientWidth} px window`);
    for (const what of o.outside) problems.push(`${name}: ${what} is outside the ${width} px window`);
    for (const what of [...o.tables, ...o.broken]) problems.push(`${name}: ${what}`);
  }
  return problems;
}

describe('the GUI on narrow windows', () => {
  it('at 1280 px, with the navigation beside the screen: the same holds', async () => {
    const { page } = gui;
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await page.getByRole('button', { name: 'Navigation' }).isVisible()).toBe(false);
    expect(await problemsOnEveryScreen(page, 1280)).toEqual([]);
  });

  for (const width of [900, 768]) {
    it(`at ${width} px: navigation behind the burger, nothing wider than the window on any screen`, async () => {
      const { page } = gui;
      const missing: string[] = [];
      const onResponse = (r: { status(): number; url(): string; request(): { resourceType(): string } }) => {
        if (r.status() >= 400 && !['fetch', 'xhr', 'eventsource'].includes(r.request().resourceType())) missing.push(`${r.status()} ${r.url()}`);
      };
      page.on('response', onResponse);
      try {
        await page.setViewportSize({ width, height: 800 });
        // A full load, as a newcomer's browser does it: the page, its assets and its icon.
        await page.reload();
        await open(page, SCREENS.registry!);

        const nav = page.getByRole('navigation', { name: 'Main navigation' });
        const burger = page.getByRole('button', { name: 'Navigation' });
        // Folded away: moved out of the window to the left (Mantine slides it, it stays in the page).
        const navOnScreen = () => page.evaluate(() => document.querySelector('nav[aria-label="Main navigation"]')!.getBoundingClientRect().right > 0);
        expect(await burger.isVisible()).toBe(true);
        expect(await navOnScreen()).toBe(false);
        expect(await nav.getAttribute('inert')).not.toBeNull();
        await burger.click();
        const storage = nav.getByRole('link', { name: 'Storage' });
        // It slides in, and ends wholly inside the window.
        await page.waitForFunction(() => document.querySelector('nav[aria-label="Main navigation"]')!.getBoundingClientRect().left >= 0);
        const box = (await storage.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
        await storage.click();
        await page.waitForURL(/#\/storage$/);
        // Choosing a screen folds the navigation again.
        await page.waitForFunction(() => document.querySelector('nav[aria-label="Main navigation"]')!.getBoundingClientRect().right <= 0);

        // The rows' own buttons, named: the long URL's connection and the admin user keep them in view.
        await open(page, SCREENS.connections!);
        const row = page.locator('[data-testid="connection-row"][aria-label="build mirror"]');
        expect(await row.textContent()).toContain(LONG_URL.slice(0, 30));
        for (const name of ['Edit build mirror', 'Remove build mirror']) {
          const b = (await row.getByRole('button', { name }).boundingBox())!;
          expect(b.x, name).toBeGreaterThanOrEqual(0);
          expect(b.x + b.width, name).toBeLessThanOrEqual(width);
        }
        await open(page, SCREENS.users!);
        const b = (await page.getByRole('button', { name: 'Remove admin' }).boundingBox())!;
        expect(b.x + b.width).toBeLessThanOrEqual(width);

        expect(await problemsOnEveryScreen(page, width)).toEqual([]);

        if (width === 900) {
          await open(page, SCREENS.registry!);
          await gui.shot('registry-900');
          await open(page, SCREENS.repositories!);
          await gui.shot('repositories-900');
          await open(page, SCREENS.tags!);
          await gui.shot('tags-900');
          await open(page, SCREENS.image!);
          await gui.shot('image-900');
          await open(page, SCREENS.connections!);
          await gui.shot('connections-900');
        }
        expect(missing).toEqual([]);
      } finally {
        page.off('response', onResponse);
      }
    });
  }

  it('in dark mode: the registry screen, and the repositories at 900 px', async () => {
    const { page } = gui;
    await page.setViewportSize({ width: 1280, height: 800 });
    await open(page, SCREENS.registry!);
    await page.getByRole('button', { name: 'Toggle color scheme' }).click();
    expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    // Away from the toggle, so that its tooltip is not in the pictures.
    await page.mouse.move(5, 790);
    await page.getByRole('tooltip').waitFor({ state: 'hidden' });
    await gui.shot('dark-registry');
    // dark-repositories at 1280 px is workflows-browse's (its two repositories); this one is narrower.
    await open(page, SCREENS.repositories!);
    await page.setViewportSize({ width: 900, height: 800 });
    // The navigation slides out of the narrower window: the picture is taken once it is gone.
    await page.waitForFunction(() => document.querySelector('nav[aria-label="Main navigation"]')!.getBoundingClientRect().right <= 0);
    await gui.shot('dark-repositories-900');
    await page.getByRole('button', { name: 'Toggle color scheme' }).click();
    expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('light');
  });
});
