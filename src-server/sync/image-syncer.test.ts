import { describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { authFor, imageSyncerJobs, parseConfigText, readAuthTable, readCombined } from './image-syncer';

const env = { REG_USER: 'robot', REG_PASS: 's3cret' };

function jobsOf(images: unknown, auth: unknown = {}, defaults = {}) {
  return imageSyncerJobs({ auth: readAuthTable(auth, 'auth.yaml', env), images, imagesFile: 'images.yaml', defaults });
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe("image-syncer's auth file", () => {
  it('reads hosts and host/namespace entries, environment references and insecure', () => {
    const t = readAuthTable(parseConfigText({ file: 'auth.yaml', text: 'quay.io:\n  username: ${REG_USER}\n  password: $REG_PASS\n  insecure: true\nquay.io/coreos:\n  username: other\n  password: p\n' }), 'auth.yaml', env);
    expect(t.get('quay.io')).toEqual({ username: 'robot', password: 's3cret', insecure: true });
    expect(authFor(t, 'quay.io', 'coreos/x')).toEqual({ username: 'other', password: 'p' });
    expect(authFor(t, 'quay.io', 'other/x')?.username).toBe('robot');
    expect(authFor(t, 'ghcr.io', 'a/b')).toBeUndefined();
  });

  it('names the entry of a problem', () => {
    expect(refusal(() => readAuthTable({ 'quay.io': { password: '${MISSING_VAR}' } }, 'auth.yaml', env))).toBe('auth.yaml entry "quay.io": password refers to the environment variable MISSING_VAR, which is not set');
    expect(refusal(() => readAuthTable({ 'quay.io': { user: 'x' } }, 'auth.yaml', env))).toMatch(/auth\.yaml entry "quay\.io": unknown key "user"/);
    expect(refusal(() => readAuthTable({ 'quay.io': { insecure: 'yes' } }, 'auth.yaml', env))).toMatch(/insecure must be true or false/);
    expect(refusal(() => readAuthTable(['quay.io'], 'auth.yaml', env))).toMatch(/must be a mapping/);
  });
});

describe("image-syncer's images file", () => {
  it('turns every entry form into jobs', () => {
    const auth = { 'quay.io': { username: 'u', password: 'p' }, 'r.local:5000': { insecure: true } };
    const jobs = jobsOf(
      {
        'quay.io/coreos/proxy': 'r.local:5000/mirror/proxy',
        'quay.io/coreos/proxy:v1.0,v2.0': 'r.local:5000/mirror/proxy',
        'quay.io/coreos/proxy@sha256:14b267eb38aa85fd12d0e168fffa2d8a6187ac53a14a0212b0d4fce8d729598c': 'r.local:5000/mirror/proxy',
        'quay.io/coreos/proxy:v1.1': ['r.local:5000/a/proxy1', 'r.local:5000/a/proxy2'],
        'quay.io/coreos/proxy:/^v[0-9]+\\.[0-9]+$/': 'r.local:5000/mirror/proxy',
        'quay.io/coreos/proxy:v3': 'r.local:5000/mirror/renamed:stable',
        nginx: 'r.local:5000/hub/nginx',
      },
      auth,
    );
    expect(jobs.map((j) => j.name)).toEqual(['image-syncer-1', 'image-syncer-2', 'image-syncer-3', 'image-syncer-4.1', 'image-syncer-4.2', 'image-syncer-5', 'image-syncer-6', 'image-syncer-7']);
    expect(jobs[0]).toEqual({
      name: 'image-syncer-1',
      source: { host: 'quay.io', access: { username: 'u', password: 'p' }, repositories: ['coreos/proxy'] },
      destination: { host: 'r.local:5000', insecure: true, repository: 'mirror/proxy' },
    });
    expect(jobs[1]!.tags).toEqual({ tags: ['v1.0', 'v2.0'] });
    expect(jobs[2]!.tags).toEqual({ digests: ['sha256:14b267eb38aa85fd12d0e168fffa2d8a6187ac53a14a0212b0d4fce8d729598c'] });
    expect(jobs[4]!.destination).toMatchObject({ repository: 'a/proxy2' });
    expect(jobs[5]!.tags).toEqual({ include: ['^v[0-9]+\\.[0-9]+$'] });
    expect(jobs[6]!.destination).toMatchObject({ repository: 'mirror/renamed', tag: 'stable' });
    expect(jobs[7]!.source).toEqual({ host: 'docker.io', repositories: ['library/nginx'] });
  });

  it('sends an empty destination to --registry/--namespace', () => {
    const [job] = jobsOf({ 'quay.io/coreos/proxy:v1': '' }, {}, { registry: 'r.local', namespace: 'ns' });
    expect(job!.destination).toEqual({ host: 'r.local', repository: 'ns/proxy' });
  });

  it('reads JSON and YAML alike, and the combined form', () => {
    const y = parseConfigText({ file: 'i.yaml', text: 'quay.io/a/b:v1: r.local/c/d\n' });
    const j = parseConfigText({ file: 'i.json', text: '{"quay.io/a/b:v1": "r.local/c/d"}' });
    expect(y).toEqual(j);
    const c = readCombined(parseConfigText({ file: 'config.json', text: '{"auth": {"quay.io": {"username": "u", "password": "p"}}, "images": {"quay.io/a/b": "r.local/c/d"}}' }), 'config.json', env);
    expect(c.auth.get('quay.io')).toEqual({ username: 'u', password: 'p' });
    expect(refusal(() => readCombined({ images: {}, extra: 1 }, 'config.json', env))).toMatch(/config\.json: unknown key "extra"/);
  });

  it.each<[string, unknown, RegExp]>([
    ['a bad regex', { 'quay.io/x:/(/': 'r.local/x' }, /^images\.yaml entry "quay\.io\/x:\/\(\/": the tag regex \/\(\/ is not a regular expression/],
    ['a tagged destination for several tags', { 'quay.io/x:v1,v2': 'r.local/x:latest' }, /entry "quay\.io\/x:v1,v2": the destination "r\.local\/x:latest" has a tag/],
    ['an empty tag', { 'quay.io/x:v1,': 'r.local/x' }, /entry "quay\.io\/x:v1,": an empty tag/],
    ['a bad tag', { 'quay.io/x:-bad': 'r.local/x' }, /entry "quay\.io\/x:-bad": tags\.tags: "-bad" is not a valid tag/],
    ['a bad digest', { 'quay.io/x@sha256:abc': 'r.local/x' }, /entry "quay\.io\/x@sha256:abc": tags\.digests:/],
    ['a destination digest', { 'quay.io/x:v1': 'r.local/x@sha256:abc' }, /a destination cannot be a digest/],
    ['a bad destination name', { 'quay.io/x:v1': 'r.local/UPPER' }, /entry "quay\.io\/x:v1": destination\.repository: "UPPER" is not a valid repository name/],
    ['an empty destination without defaults', { 'quay.io/x:v1': '' }, /the destination is empty and no default is set/],
    ['a number as destination', { 'quay.io/x': 3 }, /the destination must be a string or a list of strings/],
    ['no entries', {}, /names no images/],
  ])('refuses %s, naming the entry', (_what, images, message) => {
    expect(refusal(() => jobsOf(images))).toMatch(message);
  });
});
