import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge';

describe('parseChallenges', () => {
  const cases: Array<{ desc: string; header: string | null; want: ReturnType<typeof parseChallenges> }> = [
    {
      desc: 'Docker Hub Bearer challenge',
      header: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      want: [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } }],
    },
    { desc: 'Basic with a realm', header: 'Basic realm="Registry Realm"', want: [{ scheme: 'basic', params: { realm: 'Registry Realm' } }] },
    { desc: 'bare scheme', header: 'Basic', want: [{ scheme: 'basic', params: {} }] },
    {
      desc: 'spaces after commas, unquoted values, mixed-case names',
      header: 'BEARER Realm=https://a/token, Service=reg ,scope="x"',
      want: [{ scheme: 'bearer', params: { realm: 'https://a/token', service: 'reg', scope: 'x' } }],
    },
    {
      desc: 'two challenges in one header',
      header: 'Basic realm="a, b", Bearer realm="https://t/token",service="s"',
      want: [
        { scheme: 'basic', params: { realm: 'a, b' } },
        { scheme: 'bearer', params: { realm: 'https://t/token', service: 's' } },
      ],
    },
    {
      desc: 'escaped quotes and a scope list with spaces',
      header: 'Bearer realm="R \\"x\\"",scope="repository:a:pull repository:b:pull,push"',
      want: [{ scheme: 'bearer', params: { realm: 'R "x"', scope: 'repository:a:pull repository:b:pull,push' } }],
    },
    { desc: 'absent', header: null, want: [] },
    { desc: 'garbage', header: '"oops"', want: [] },
  ];
  for (const c of cases) {
    it(c.desc, () => expect(parseChallenges(c.header)).toEqual(c.want));
  }
});
