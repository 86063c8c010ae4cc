/**
 * Tags list and `_catalog`: lexical order, `n`/`last` paging and `Link` headers.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 * https://distribution.github.io/distribution/spec/api/#catalog
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiRegistry, type Case, imageParts, putManifest, raw, runCase, startApi } from './harness';

let reg: ApiRegistry;
// Deliberately not in insertion order, with mixed case and separators to test lexical (byte) order.
const TAGS = ['v10', 'v2', 'latest', 'A', 'Z-last', '1.0', '1.0.1', '_under', 'b', 'a.b', 'a-b', 'a_b'];
const REPOS = ['zeta', 'alpha', 'alpha/sub', 'alpha-b', 'beta.x', 'm/n/o', 'b', 'a0'];

beforeAll(async () => {
  reg = await startApi();
  const m = await imageParts(reg.port, 'list/app');
  for (const t of TAGS) await putManifest(reg.port, 'list/app', t, m);
  for (const r of REPOS) await putManifest(reg.port, r, 'latest', await imageParts(reg.port, r));
});
afterAll(() => reg?.close());

const lexical = (xs: string[]) => [...xs].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));

/** Follows `Link` headers from `first`, bounded; returns every page's entries. */
async function follow(first: string, key: 'tags' | 'repositories'): Promise<{ pages: string[][]; links: number }> {
  const pages: string[][] = [];
  let url: string | null = first;
  let links = 0;
  for (let i = 0; url && i < 100; i++) {
    const res = await runCase(reg.port, { desc: url, method: 'GET', url, status: 200 });
    const items = res.json()[key] as string[];
    pages.push(items);
    const link = res.header('link');
    if (!link) {
      url = null;
      break;
    }
    links++;
    const m = /^<([^>]+)>;\s*rel="next"$/.exec(link);
    expect(m, link).not.toBeNull();
    url = m![1]!;
  }
  expect(url).toBeNull();
  return { pages, links };
}

describe('tags list', () => {
  it('all tags in lexical order, no Link', () =>
    runCase(reg.port, {
      desc: 'all',
      method: 'GET',
      url: '/v2/list/app/tags/list',
      status: 200,
      expectHeaders: { link: null, 'content-type': /^application\/json/ },
      expect: (r) => expect(r.json()).toEqual({ name: 'list/app', tags: lexical(TAGS) }),
    }));

  for (const n of [1, 2, 5, 11, 12, 13, 100]) {
    it(`paging with n=${n} yields every tag once, Link exactly when more remain`, async () => {
      const { pages, links } = await follow(`/v2/list/app/tags/list?n=${n}`, 'tags');
      expect(pages.flat()).toEqual(lexical(TAGS));
      for (const p of pages.slice(0, -1)) expect(p).toHaveLength(n);
      expect(links).toBe(Math.ceil(TAGS.length / n) - 1);
      expect(pages.at(-1)!.length).toBeGreaterThan(0);
    });
  }

  it('last without n starts after last', async () => {
    const sorted = lexical(TAGS);
    const res = await raw(reg.port, 'GET', `/v2/list/app/tags/list?last=${sorted[3]}`);
    expect(res.json().tags).toEqual(sorted.slice(4));
  });

  it('last that is not a tag starts at the next one in order', async () => {
    const res = await raw(reg.port, 'GET', '/v2/list/app/tags/list?n=2&last=a');
    const sorted = lexical(TAGS);
    expect(res.json().tags).toEqual(sorted.filter((t) => t > 'a').slice(0, 2));
  });

  it('last after the final tag gives an empty list without Link', () =>
    runCase(reg.port, {
      desc: 'end',
      method: 'GET',
      url: '/v2/list/app/tags/list?n=5&last=zzz',
      status: 200,
      expectHeaders: { link: null },
      expect: (r) => expect(r.json().tags).toEqual([]),
    }));

  const cases: Case[] = [
    { desc: 'n=0 gives an empty list', method: 'GET', url: '/v2/list/app/tags/list?n=0', status: 200, expectHeaders: { link: null }, expect: (r) => expect(r.json()).toEqual({ name: 'list/app', tags: [] }) },
    { desc: 'n=-1', method: 'GET', url: '/v2/list/app/tags/list?n=-1', status: 400, code: 'PAGINATION_NUMBER_INVALID' },
    { desc: 'n=abc', method: 'GET', url: '/v2/list/app/tags/list?n=abc', status: 400, code: 'PAGINATION_NUMBER_INVALID' },
    { desc: 'n=1.5', method: 'GET', url: '/v2/list/app/tags/list?n=1.5', status: 400, code: 'PAGINATION_NUMBER_INVALID' },
    { desc: 'n huge', method: 'GET', url: '/v2/list/app/tags/list?n=99999999999999999999999', status: 200, expect: (r) => expect(r.json().tags).toEqual(lexical(TAGS)) },
    { desc: 'unknown repo', method: 'GET', url: '/v2/list/none/tags/list', status: 404, code: 'NAME_UNKNOWN' },
    { desc: 'unknown repo with n=0', method: 'GET', url: '/v2/list/none/tags/list?n=0', status: 404, code: 'NAME_UNKNOWN' },
    { desc: 'POST tags list', method: 'POST', url: '/v2/list/app/tags/list', status: 405, code: 'UNSUPPORTED' },
  ];
  for (const c of cases) it(c.desc, () => runCase(reg.port, c));

  it('a repository whose only tag was deleted lists no tags', async () => {
    await putManifest(reg.port, 'list/one', 'only', await imageParts(reg.port, 'list/one'));
    await runCase(reg.port, { desc: 'untag', method: 'DELETE', url: '/v2/list/one/manifests/only', status: 202 });
    const res = await raw(reg.port, 'GET', '/v2/list/one/tags/list');
    expect(res.status).toBe(200);
    expect(res.json().tags).toEqual([]);
  });
});

describe('_catalog', () => {
  const all = () => lexical([...REPOS, 'list/app', 'list/one']);

  it('every repository in lexical order', async () => {
    const res = await runCase(reg.port, { desc: 'catalog', method: 'GET', url: '/v2/_catalog', status: 200, expectHeaders: { link: null } });
    expect(res.json()).toEqual({ repositories: all() });
  });

  for (const n of [1, 3, 4, 9, 10, 11]) {
    it(`paging with n=${n} yields every repository once`, async () => {
      const { pages, links } = await follow(`/v2/_catalog?n=${n}`, 'repositories');
      expect(pages.flat()).toEqual(all());
      expect(links).toBe(Math.ceil(all().length / n) - 1);
    });
  }

  const cases: Case[] = [
    { desc: 'n=0', method: 'GET', url: '/v2/_catalog?n=0', status: 200, expectHeaders: { link: null }, expect: (r) => expect(r.json()).toEqual({ repositories: [] }) },
    { desc: 'n=-5', method: 'GET', url: '/v2/_catalog?n=-5', status: 400, code: 'PAGINATION_NUMBER_INVALID' },
    { desc: 'n=x', method: 'GET', url: '/v2/_catalog?n=x', status: 400, code: 'PAGINATION_NUMBER_INVALID' },
    { desc: 'last=alpha/sub', method: 'GET', url: '/v2/_catalog?n=2&last=alpha%2Fsub', status: 200, expect: (r) => expect(r.json().repositories).toEqual(['b', 'beta.x']) },
    { desc: 'last past the end', method: 'GET', url: '/v2/_catalog?last=zzzz', status: 200, expect: (r) => expect(r.json().repositories).toEqual([]) },
    { desc: 'HEAD', method: 'HEAD', url: '/v2/_catalog', status: 200 },
  ];
  for (const c of cases) it(c.desc, () => runCase(reg.port, c));
});
