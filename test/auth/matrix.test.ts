/**
 * The access matrix: every registry endpoint × every kind of caller, in Basic and in token mode,
 * against the real app over real HTTP. A request without its right must be refused with the exact
 * status and the spec's JSON error (and a refused write must leave the disk as it was); a request
 * with its right must succeed with the spec's status.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, type RawOptions, type RawResponse } from '../api/harness';
import { type AuthRegistry, parseChallenge, REALM, send, SERVICE, startAuthRegistry } from './auth-server';

type Right = 'pull' | 'push' | 'delete';
type Need = Right | 'login';

interface Role {
  name: string;
  creds?: { user: string; password: string };
  /** The repository the role's requests address. */
  repo: string;
  /** Rights the role holds on `repo`, written out by hand (not computed by the code under test). */
  rights: Right[];
  /** May it read the mount sources team/src and secret/src, and everything (automatic mount)? */
  reads: { teamSrc: boolean; secretSrc: boolean; everything: boolean };
  /** Repositories its catalog must show and must not show (null: no catalog, not logged in). */
  catalog: { shows: string[]; hides: string[] } | null;
}

const USERS = { admin: 'admin-pw', puller: 'puller-pw', pusher: 'pusher-pw', deleter: 'deleter-pw', other: 'other-pw' };
const ACCESS = `users:
  admin: "admin@*"
  puller: "pull@team/*"
  pusher: "push@team/*"
  deleter: "delete@team/*"
  other: "admin@elsewhere/*"
anonymous: "pull@public/*"
`;
const as = (user: keyof typeof USERS) => ({ user, password: USERS[user] });
const none = { teamSrc: false, secretSrc: false, everything: false };
const team = { teamSrc: true, secretSrc: false, everything: false };
const ALL_REPOS = ['elsewhere/x', 'public/app', 'secret/src', 'team/app', 'team/src'];

const ROLES: Role[] = [
  { name: 'anonymous', repo: 'team/app', rights: [], reads: none, catalog: null },
  { name: 'anonymous on a public repository', repo: 'public/app', rights: ['pull'], reads: none, catalog: null },
  { name: 'pull-only', creds: as('puller'), repo: 'team/app', rights: ['pull'], reads: team, catalog: { shows: ['team/app', 'team/src'], hides: ['public/app', 'secret/src', 'elsewhere/x'] } },
  { name: 'push', creds: as('pusher'), repo: 'team/app', rights: ['pull', 'push'], reads: team, catalog: { shows: ['team/app', 'team/src'], hides: ['public/app', 'secret/src'] } },
  { name: 'delete', creds: as('deleter'), repo: 'team/app', rights: ['pull', 'delete'], reads: team, catalog: { shows: ['team/app'], hides: ['secret/src'] } },
  { name: 'admin', creds: as('admin'), repo: 'team/app', rights: ['pull', 'push', 'delete'], reads: { teamSrc: true, secretSrc: true, everything: true }, catalog: { shows: ALL_REPOS, hides: [] } },
  { name: 'user with rights on another repository only', creds: as('other'), repo: 'team/app', rights: [], reads: none, catalog: { shows: ['elsewhere/x'], hides: ['team/app', 'public/app'] } },
];

const OCTET = { 'Content-Type': 'application/octet-stream' };
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const digestOf = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Req {
  method: string;
  path: string;
  opts?: RawOptions;
}

interface Endpoint {
  name: string;
  need: Need;
  /** Runs as admin before the request; returns the request. */
  prepare: (env: Env, repo: string) => Promise<Req>;
  /** Success status for a role holding the right. */
  ok: (role: Role) => number;
  check?: (res: RawResponse, role: Role) => void;
}

/** What a case can use: the server, its mode, admin's way in, and the fixture image per repository. */
interface Env {
  reg: AuthRegistry;
  mode: 'basic' | 'token';
  admin: (method: string, path: string, opts?: RawOptions) => Promise<RawResponse>;
  image: Record<string, { manifest: string; digest: string; layer: string }>;
}

let unique = 0;
const fresh = () => randomBytes(64 + (unique++ % 7));

async function adminBlob(env: Env, repo: string, data: Buffer): Promise<string> {
  const d = digestOf(data);
  const res = await env.admin('POST', `/v2/${repo}/blobs/uploads/?digest=${d}`, { body: data, headers: OCTET });
  expect(res.status, res.text).toBe(201);
  return d;
}

/** A new manifest (unique annotation) over the fixture's blobs, pushed by admin under `ref` (or its digest). */
async function adminManifest(env: Env, repo: string, ref?: string): Promise<{ body: string; digest: string }> {
  const base = JSON.parse(env.image[repo]!.manifest);
  const body = JSON.stringify({ ...base, annotations: { n: String(unique++) } });
  const digest = digestOf(body);
  const res = await env.admin('PUT', `/v2/${repo}/manifests/${ref ?? digest}`, { body, headers: { 'Content-Type': MANIFEST_TYPE } });
  expect(res.status, res.text).toBe(201);
  return { body, digest };
}

async function adminUpload(env: Env, repo: string): Promise<string> {
  const res = await env.admin('POST', `/v2/${repo}/blobs/uploads/`);
  expect(res.status, res.text).toBe(202);
  return res.header('location')!;
}

const always = (status: number) => () => status;
const mountStatus = (can: (r: Role) => boolean) => (r: Role) => (can(r) ? 201 : 202);

const ENDPOINTS: Endpoint[] = [
  { name: 'ping GET /v2/', need: 'login', ok: always(200), prepare: async () => ({ method: 'GET', path: '/v2/' }) },
  { name: 'ping HEAD /v2/', need: 'login', ok: always(200), prepare: async () => ({ method: 'HEAD', path: '/v2/' }) },
  {
    name: 'catalog', need: 'login', ok: always(200),
    prepare: async () => ({ method: 'GET', path: '/v2/_catalog' }),
    check: (res, role) => {
      const repos: string[] = res.json().repositories;
      for (const r of role.catalog!.shows) expect(repos, role.name).toContain(r);
      for (const r of role.catalog!.hides) expect(repos, role.name).not.toContain(r);
    },
  },
  { name: 'tags list', need: 'pull', ok: always(200), prepare: async (_e, repo) => ({ method: 'GET', path: `/v2/${repo}/tags/list` }),
    check: (res) => expect(res.json().tags).toContain('v1') },
  { name: 'manifest GET by tag', need: 'pull', ok: always(200), prepare: async (_e, repo) => ({ method: 'GET', path: `/v2/${repo}/manifests/v1`, opts: { headers: { Accept: MANIFEST_TYPE } } }) },
  { name: 'manifest HEAD by tag', need: 'pull', ok: always(200), prepare: async (_e, repo) => ({ method: 'HEAD', path: `/v2/${repo}/manifests/v1` }) },
  { name: 'manifest GET by digest', need: 'pull', ok: always(200), prepare: async (e, repo) => ({ method: 'GET', path: `/v2/${repo}/manifests/${e.image[repo]!.digest}` }) },
  { name: 'manifest HEAD by digest', need: 'pull', ok: always(200), prepare: async (e, repo) => ({ method: 'HEAD', path: `/v2/${repo}/manifests/${e.image[repo]!.digest}` }) },
  {
    name: 'manifest PUT by tag', need: 'push', ok: always(201),
    prepare: async (e, repo) => ({ method: 'PUT', path: `/v2/${repo}/manifests/put-${unique++}`, opts: { body: e.image[repo]!.manifest, headers: { 'Content-Type': MANIFEST_TYPE } } }),
  },
  {
    name: 'manifest PUT by digest', need: 'push', ok: always(201),
    prepare: async (e, repo) => {
      const body = JSON.stringify({ ...JSON.parse(e.image[repo]!.manifest), annotations: { n: String(unique++) } });
      return { method: 'PUT', path: `/v2/${repo}/manifests/${digestOf(body)}`, opts: { body, headers: { 'Content-Type': MANIFEST_TYPE } } };
    },
  },
  {
    name: 'manifest DELETE by tag', need: 'delete', ok: always(202),
    prepare: async (e, repo) => {
      const tag = `del-${unique++}`;
      await adminManifest(e, repo, tag);
      return { method: 'DELETE', path: `/v2/${repo}/manifests/${tag}` };
    },
  },
  {
    name: 'manifest DELETE by digest', need: 'delete', ok: always(202),
    prepare: async (e, repo) => ({ method: 'DELETE', path: `/v2/${repo}/manifests/${(await adminManifest(e, repo)).digest}` }),
  },
  { name: 'blob GET', need: 'pull', ok: always(200), prepare: async (e, repo) => ({ method: 'GET', path: `/v2/${repo}/blobs/${e.image[repo]!.layer}` }) },
  { name: 'blob HEAD', need: 'pull', ok: always(200), prepare: async (e, repo) => ({ method: 'HEAD', path: `/v2/${repo}/blobs/${e.image[repo]!.layer}` }) },
  {
    name: 'blob DELETE', need: 'delete', ok: always(202),
    prepare: async (e, repo) => ({ method: 'DELETE', path: `/v2/${repo}/blobs/${await adminBlob(e, repo, fresh())}` }),
  },
  { name: 'upload POST', need: 'push', ok: always(202), prepare: async (_e, repo) => ({ method: 'POST', path: `/v2/${repo}/blobs/uploads/` }) },
  {
    name: 'upload POST ?digest (monolithic)', need: 'push', ok: always(201),
    prepare: async (_e, repo) => {
      const data = fresh();
      return { method: 'POST', path: `/v2/${repo}/blobs/uploads/?digest=${digestOf(data)}`, opts: { body: data, headers: OCTET } };
    },
  },
  {
    name: 'upload POST mount from a repository the caller may read', need: 'push', ok: mountStatus((r) => r.reads.teamSrc),
    prepare: async (e, repo) => ({ method: 'POST', path: `/v2/${repo}/blobs/uploads/?mount=${await adminBlob(e, 'team/src', fresh())}&from=team/src` }),
  },
  {
    name: 'upload POST mount from a repository the caller may not read (a plain upload starts)', need: 'push', ok: mountStatus((r) => r.reads.secretSrc),
    prepare: async (e, repo) => ({ method: 'POST', path: `/v2/${repo}/blobs/uploads/?mount=${await adminBlob(e, 'secret/src', fresh())}&from=secret/src` }),
  },
  {
    name: 'upload POST automatic mount (no from: only with pull on everything)', need: 'push', ok: mountStatus((r) => r.reads.everything),
    prepare: async (e, repo) => ({ method: 'POST', path: `/v2/${repo}/blobs/uploads/?mount=${await adminBlob(e, 'secret/src', fresh())}` }),
  },
  {
    name: 'upload PATCH', need: 'push', ok: always(202),
    prepare: async (e, repo) => ({ method: 'PATCH', path: await adminUpload(e, repo), opts: { body: fresh(), headers: OCTET } }),
  },
  {
    name: 'upload PUT', need: 'push', ok: always(201),
    prepare: async (e, repo) => {
      const data = fresh();
      return { method: 'PUT', path: `${await adminUpload(e, repo)}?digest=${digestOf(data)}`, opts: { body: data, headers: OCTET } };
    },
  },
  { name: 'upload GET status', need: 'push', ok: always(204), prepare: async (e, repo) => ({ method: 'GET', path: await adminUpload(e, repo) }) },
  { name: 'upload DELETE', need: 'push', ok: always(204), prepare: async (e, repo) => ({ method: 'DELETE', path: await adminUpload(e, repo) }) },
  {
    name: 'referrers', need: 'pull', ok: always(200),
    prepare: async (e, repo) => ({ method: 'GET', path: `/v2/${repo}/referrers/${e.image[repo]!.digest}` }),
    check: (res) => expect(res.json().manifests).toEqual([]),
  },
];

/** Every file under the registry tree with its size and, for small files (links), its content. */
function snapshot(dataDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        out.push(`${p}/`);
        walk(p);
      } else {
        const size = statSync(p).size;
        out.push(`${p} ${size} ${size < 200 ? readFileSync(p, 'utf8') : ''}`);
      }
    }
  };
  walk(join(dataDir, 'docker'));
  return out.sort();
}

function allowed(role: Role, need: Need): boolean {
  return need === 'login' ? role.creds !== undefined : role.rights.includes(need);
}

for (const mode of ['basic', 'token'] as const) {
  describe(`access matrix, ${mode} mode`, () => {
    const env = { mode, image: {} } as Env;

    beforeAll(async () => {
      env.reg = await startAuthRegistry({ mode, users: USERS, accessYaml: ACCESS });
      env.admin = (method, path, opts) => send(env.reg, mode, as('admin'), method, path, opts);
      for (const repo of ['team/app', 'public/app', 'team/src', 'secret/src', 'elsewhere/x']) {
        const layer = await adminBlob(env, repo, randomBytes(300));
        const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
        const configDigest = await adminBlob(env, repo, config);
        const manifest = JSON.stringify({
          schemaVersion: 2,
          mediaType: MANIFEST_TYPE,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 300 }],
        });
        const res = await env.admin('PUT', `/v2/${repo}/manifests/v1`, { body: manifest, headers: { 'Content-Type': MANIFEST_TYPE } });
        expect(res.status, res.text).toBe(201);
        env.image[repo] = { manifest, digest: digestOf(manifest), layer };
      }
    });
    afterAll(async () => env.reg?.close());

    for (const role of ROLES) {
      it(`${role.name}: each endpoint answers as its right says`, async () => {
        const seen: string[] = [];
        for (const ep of ENDPOINTS) {
          const req = await ep.prepare(env, role.repo);
          const before = snapshot(env.reg.dataDir);
          const res = await send(env.reg, mode, role.creds, req.method, req.path, req.opts);
          const what = `${mode} ${role.name} ${ep.name}: ${req.method} ${req.path} -> ${res.status} ${res.text}`;
          expect(res.header('docker-distribution-api-version'), what).toBe('registry/2.0');
          if (allowed(role, ep.need)) {
            expect(res.status, what).toBe(ep.ok(role));
            ep.check?.(res, role);
          } else if (!role.creds) {
            expect(res.status, what).toBe(401);
            if (req.method !== 'HEAD') expectError(res, 'UNAUTHORIZED');
            const ch = parseChallenge(res.header('www-authenticate'));
            if (mode === 'basic') {
              expect(ch, what).toEqual({ scheme: 'Basic', params: { realm: REALM } });
            } else {
              expect(ch?.scheme, what).toBe('Bearer');
              expect(ch?.params.realm, what).toBe(`${env.reg.base}/token`);
              expect(ch?.params.service, what).toBe(SERVICE);
              if (ep.need !== 'login') {
                expect(ch?.params.scope, what).toContain(`repository:${role.repo}:`);
                expect(ch?.params.scope, what).toContain(ep.need);
                expect(ch?.params.error, what).toBe('insufficient_scope');
              }
            }
          } else {
            expect(res.status, what).toBe(403);
            expect(res.header('www-authenticate'), what).toBeUndefined();
            if (req.method !== 'HEAD') {
              expectError(res, 'DENIED');
              expect(res.json().errors[0].detail, what).toEqual({ repository: role.repo, right: ep.need });
            }
          }
          if (res.status === 401 || res.status === 403) expect(snapshot(env.reg.dataDir), `${what}: refused, yet the disk changed`).toEqual(before);
          seen.push(`${ep.name}:${res.status}`);
        }
        expect(seen).toHaveLength(ENDPOINTS.length);
      });
    }
  });
}
