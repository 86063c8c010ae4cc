/**
 * The `image:copy` channel through the real handler table and `dispatch`: payload checks
 * (ARGS_INVALID), `copy:progress` events carrying the caller's operation id, and the report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCopyHandlers } from '../../src-server/api/copy';
import { createCoreHandlers, dispatch, type CoreHandlers } from '../../src-server/api/handlers';
import { LocalSource } from '../../src-server/browse/local-source';
import type { RegistrySource } from '../../src-server/browse/source';
import type { CopyPreview, CopyProgress, CopyReport } from '../../src-server/contract';
import { RegistryError } from '../../src-server/core/errors';
import type { AuditEvent } from '../../src-server/audit/audit-log';
import { silentLogger } from '../../src-server/logger';
import { createServices, type Services } from '../../src-server/services';
import { tempDir } from '../helpers/berth-server';
import { multiArch, totalSize, type BuiltImage } from './images';

const open: { services: Services; cleanup: () => void }[] = [];
let handlers: CoreHandlers;
let a: LocalSource;
let b: LocalSource;
let img: BuiltImage;
/** What afterCopy was told, in order. */
const copied: string[] = [];

async function local() {
  const tmp = tempDir('berth-copy-api-');
  const services = await createServices({ dataDir: tmp.dir, fsync: false, log: silentLogger });
  open.push({ services, cleanup: tmp.cleanup });
  return services;
}

beforeAll(async () => {
  const sa = await local();
  const sb = await local();
  a = new LocalSource(sa.registry, () => 'localhost');
  b = new LocalSource(sb.registry, () => 'localhost');
  Object.defineProperty(b, 'id', { value: 'other' });
  const sources: Record<string, RegistrySource> = { local: a, other: b };
  const source = async (id: string) => {
    const s = sources[id];
    if (!s) throw new RegistryError('NOT_FOUND', { message: `no connection ${id}` });
    return s;
  };
  handlers = createCoreHandlers({ registry: sa.registry, log: silentLogger, app: createCopyHandlers({ source, afterCopy: (c, r) => copied.push(`${c}/${r}`) }) });
  img = await multiArch(a, 'src/app', 'v1');
});

afterAll(() => {
  for (const o of open.splice(0)) {
    o.services.close();
    o.cleanup();
  }
});

async function call(args: unknown, onEvent?: (payload: CopyProgress) => void) {
  const events: { event: string; payload: unknown }[] = [];
  const env = await dispatch(
    handlers,
    'image:copy',
    args,
    (event, payload) => {
      events.push({ event, payload });
      onEvent?.(payload as CopyProgress);
    },
    silentLogger,
  );
  return { env, events };
}

/** Any other channel through dispatch. */
const other = (channel: 'image:copy-preview' | 'image:copy-cancel', args: unknown) => dispatch(handlers, channel, args, () => {}, silentLogger);

describe('image:copy through dispatch', () => {
  it('copies and emits copy:progress with the operation id', async () => {
    const { env, events } = await call({
      from: { connection: 'local', repository: 'src/app', reference: 'v1' },
      to: { connection: 'other', repository: 'dst/app', reference: 'v1' },
      operationId: 'op-42',
    });
    expect(env.ok, JSON.stringify(env)).toBe(true);
    const report = (env as { result: CopyReport }).result;
    expect(report).toMatchObject({ digest: img.digest, target: 'dst/app:v1', blobsCopied: 7, bytesCopied: totalSize(img.blobs) });
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(new Set(events.map((e) => e.event))).toEqual(new Set(['copy:progress']));
    const progress = events.map((e) => e.payload as CopyProgress);
    expect(progress.every((p) => p.operationId === 'op-42')).toBe(true);
    expect(progress[progress.length - 1]).toMatchObject({ phase: 'done', bytesDone: totalSize(img.blobs), bytesTotal: totalSize(img.blobs) });
    expect((await b.getManifest('dst/app', 'v1'))!.digest).toBe(img.digest);
  });

  it('tells afterCopy the target after a copy, and after a failed one, but not when nothing could be written', async () => {
    copied.length = 0;
    const ok = await call({ from: { connection: 'local', repository: 'src/app', reference: 'v1' }, to: { connection: 'other', repository: 'dst/after' } });
    expect(ok.env.ok, JSON.stringify(ok.env)).toBe(true);
    expect(copied).toEqual(['other/dst/after']);
    const missing = await call({ from: { connection: 'local', repository: 'src/app', reference: 'no-such-tag' }, to: { connection: 'other', repository: 'dst/failed' } });
    expect(missing.env.ok).toBe(false);
    expect(copied).toEqual(['other/dst/after', 'other/dst/failed']);
    // An unknown connection fails before anything is read or written.
    const conn = await call({ from: { connection: 'local', repository: 'src/app', reference: 'v1' }, to: { connection: 'nope', repository: 'dst/x' } });
    expect(conn.env.ok).toBe(false);
    // Bad arguments never reach the handler.
    await call({ from: { connection: 'local', repository: 'src/app', reference: 'v1' }, to: { connection: 'other', repository: 'Bad' } });
    expect(copied).toEqual(['other/dst/after', 'other/dst/failed']);
  });

  it('without an operation id the events carry null; platforms pass through', async () => {
    const { env, events } = await call({
      from: { connection: 'local', repository: 'src/app', reference: 'v1' },
      to: { connection: 'other', repository: 'dst/arm' },
      platforms: ['linux/arm/v7'],
    });
    expect(env.ok, JSON.stringify(env)).toBe(true);
    const child = img.children.get('linux/arm/v7')!;
    expect((env as { result: CopyReport }).result).toMatchObject({ digest: child.digest, target: `dst/arm@${child.digest}` });
    expect(events.every((e) => (e.payload as CopyProgress).operationId === null)).toBe(true);
  });

  it('answers PLATFORM_UNKNOWN with the available platforms, and an unknown connection with its error', async () => {
    const unknown = await call({
      from: { connection: 'local', repository: 'src/app', reference: 'v1' },
      to: { connection: 'other', repository: 'dst/x', reference: 'x' },
      platforms: ['linux/ppc64le'],
    });
    expect(unknown.env).toMatchObject({ ok: false, error: { code: 'PLATFORM_UNKNOWN', detail: { available: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] } } });
    const conn = await call({ from: { connection: 'nope', repository: 'src/app', reference: 'v1' }, to: { connection: 'other', repository: 'dst/x' } });
    expect(conn.env).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'no connection nope' } });
  });

  const from = { connection: 'local', repository: 'src/app', reference: 'v1' };
  const to = { connection: 'other', repository: 'dst/app' };
  it.each([
    ['no payload', undefined, /^the source image must be given as a connection, a repository and a reference/],
    ['a list', [], /JSON object/],
    ['an unknown key', { from, to, force: true }, /unknown argument "force"/],
    ['no source reference', { from: { connection: 'local', repository: 'src/app' }, to }, /^the source tag or digest is required/],
    ['an invalid repository', { from: { ...from, repository: 'Src/App' }, to }, /^the source repository "Src\/App" is not a valid/],
    ['an invalid target repository', { from, to: { ...to, repository: '../etc' } }, /^the target repository/],
    ['a bad reference', { from: { ...from, reference: 'v1:latest' }, to }, /neither a tag nor a digest/],
    ['a bad target tag', { from, to: { ...to, reference: '-bad' } }, /^the target tag "-bad"/],
    ['an empty connection', { from: { ...from, connection: '' }, to }, /^the source connection must be 1 to/],
    ['a numeric connection', { from: { ...from, connection: 7 }, to }, /connection must be a string/],
    ['an extra location key', { from: { ...from, tag: 'x' }, to }, /unknown argument "tag"/],
    ['platforms not a list', { from, to, platforms: 'linux/amd64' }, /platforms must be a list/],
    ['an empty platform list', { from, to, platforms: [] }, /at least one platform/],
    ['a malformed platform', { from, to, platforms: ['linux'] }, /not os\/arch/],
    ['a too long operation id', { from, to, operationId: 'x'.repeat(201) }, /the operation id must be 1 to/],
    ['an operation id not a string', { from, to, operationId: 5 }, /the operation id must be a string/],
  ])('ARGS_INVALID for %s', async (_desc, payload, message) => {
    const { env, events } = await call(payload);
    expect(env).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID' } });
    expect((env as { error: { message: string } }).error.message).toMatch(message);
    expect(events).toEqual([]);
  });
});

describe('image:copy-preview and the confirmed target', () => {
  const from = { connection: 'local', repository: 'src/app', reference: 'v1' };

  it('says what the target tag holds and what the copy would write there: both digests, index or image, platforms', async () => {
    await multiArch(b, 'prev/app', 'v1', { platforms: ['linux/amd64', 'linux/ppc64le', 'linux/s390x'] });
    const there = (await b.getManifest('prev/app', 'v1'))!;
    const env = await other('image:copy-preview', { from, to: { connection: 'other', repository: 'prev/app', reference: 'v1' }, platforms: ['linux/arm64'] });
    expect(env.ok, JSON.stringify(env)).toBe(true);
    expect((env as { result: CopyPreview }).result).toEqual({
      source: { digest: img.children.get('linux/arm64')!.digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', kind: 'image', platforms: ['linux/arm64'] },
      destination: { digest: there.digest, mediaType: 'application/vnd.oci.image.index.v1+json', kind: 'index', platforms: ['linux/amd64', 'linux/ppc64le', 'linux/s390x'] },
      outcome: 'overwrite',
      referrers: 0,
    });
    // Reading only: the target is as it was.
    expect((await b.getManifest('prev/app', 'v1'))!.digest).toBe(there.digest);
  });

  it('new, same and untagged outcomes', async () => {
    const fresh = await other('image:copy-preview', { from, to: { connection: 'other', repository: 'prev/new', reference: 'v1' } });
    expect(fresh).toMatchObject({ ok: true, result: { source: { digest: img.digest, kind: 'index', platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] }, destination: null, outcome: 'new' } });
    const copied = await call({ from, to: { connection: 'other', repository: 'prev/same', reference: 'v1' } });
    expect(copied.env.ok).toBe(true);
    const same = await other('image:copy-preview', { from, to: { connection: 'other', repository: 'prev/same', reference: 'v1' } });
    expect(same).toMatchObject({ ok: true, result: { destination: { digest: img.digest }, outcome: 'same' } });
    const untagged = await other('image:copy-preview', { from, to: { connection: 'other', repository: 'prev/same' } });
    expect(untagged).toMatchObject({ ok: true, result: { destination: null, outcome: 'untagged' } });
  });

  it('the copy is refused without the confirmed digest, and goes through with it', async () => {
    await multiArch(b, 'conf/app', 'v1', { platforms: ['linux/amd64'] });
    const before = (await b.getManifest('conf/app', 'v1'))!.digest;
    const to = { connection: 'other', repository: 'conf/app', reference: 'v1' };
    const refused = await call({ from, to });
    expect(refused.env).toMatchObject({ ok: false, error: { code: 'DESTINATION_EXISTS', detail: { current: before, copied: img.digest } } });
    expect(refused.events.map((e) => (e.payload as CopyProgress).phase)).not.toContain('blobs');
    const recordedReplace: AuditEvent[] = [];
    const done = {
      env: await dispatch(handlers, 'image:copy', { from, to, expectDestination: before }, () => {}, silentLogger, {
        audit: { sink: { record: (_actor, event) => recordedReplace.push(event) }, actor: { user: 'admin', address: 'local', via: 'gui' } },
      }),
    };
    expect(done.env).toMatchObject({ ok: true, result: { digest: img.digest, replaced: before } });
    expect(recordedReplace).toEqual([{ action: 'image.copy', target: 'conf/app:v1', result: 'ok', detail: { connection: 'other', from: 'local/src/app:v1', digest: img.digest, replaced: before } }]);
    const recorded: AuditEvent[] = [];
    const audit = { sink: { record: (_actor: unknown, event: AuditEvent) => recorded.push(event) }, actor: { user: 'admin', address: 'local', via: 'gui' as const } };
    // The audit log says what an overwrite replaced (and the image copy's refusals by their code).
    await dispatch(handlers, 'image:copy', { from, to }, () => {}, silentLogger, { audit });
    expect(recorded).toEqual([{ action: 'image.copy', target: 'conf/app:v1', result: 'ok', detail: { connection: 'other', from: 'local/src/app:v1', digest: img.digest } }]);
    const stale = await call({ from: { ...from, reference: img.children.get('linux/amd64')!.digest }, to, expectDestination: before });
    expect(stale.env).toMatchObject({ ok: false, error: { code: 'DESTINATION_CHANGED', detail: { expected: before, current: img.digest } } });
    expect((await b.getManifest('conf/app', 'v1'))!.digest).toBe(img.digest);
  });
});

describe('image:copy-cancel', () => {
  const from = { connection: 'local', repository: 'src/app', reference: 'v1' };

  it('stops the running copy of that operation id; a second cancel finds nothing to stop', async () => {
    const cancels: unknown[] = [];
    const { env, events } = await call({ from, to: { connection: 'other', repository: 'cancel/app', reference: 'v1' }, operationId: 'op-cancel' }, (p) => {
      if (p.phase === 'blobs' && cancels.length === 0) cancels.push(other('image:copy-cancel', { operationId: 'op-cancel' }));
    });
    expect(await cancels[0]).toEqual({ ok: true, result: { cancelled: true } });
    expect(env).toMatchObject({ ok: false, error: { code: 'CANCELLED', detail: { blobsCopied: 0, manifestsWritten: 0 } } });
    expect((env as { error: { message: string } }).error.message).toContain('cancel/app:v1 is as it was; nothing was written');
    expect(events.map((e) => (e.payload as CopyProgress).phase)).not.toContain('manifests');
    expect(await b.tags('cancel/app')).toBeNull();
    expect(await other('image:copy-cancel', { operationId: 'op-cancel' })).toEqual({ ok: true, result: { cancelled: false } });
  });

  it('a cancel that arrives before its copy: the copy is refused when it comes, writing nothing', async () => {
    expect(await other('image:copy-cancel', { operationId: 'op-early' })).toEqual({ ok: true, result: { cancelled: true } });
    const { env, events } = await call({ from, to: { connection: 'other', repository: 'early/app', reference: 'v1' }, operationId: 'op-early' });
    expect(env).toMatchObject({ ok: false, error: { code: 'CANCELLED', message: expect.stringContaining('before it started') } });
    expect(events).toEqual([]);
    expect(await b.tags('early/app')).toBeNull();
  });

  it('an operation id in use by a running copy is refused for another', async () => {
    const second: Promise<unknown>[] = [];
    const first = await call({ from, to: { connection: 'other', repository: 'busy/one', reference: 'v1' }, operationId: 'op-busy' }, (p) => {
      if (p.phase === 'resolve' && second.length === 0) second.push(call({ from, to: { connection: 'other', repository: 'busy/two' }, operationId: 'op-busy' }));
    });
    expect(first.env.ok).toBe(true);
    expect(((await second[0]) as { env: unknown }).env).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID', message: expect.stringContaining('in use by a running copy') } });
  });

  it.each([
    ['expectDestination not a digest', { from, to: { connection: 'other', repository: 'x/y', reference: 'v1' }, expectDestination: 'latest' }, /expectDestination must be a digest/],
    ['expectDestination without a tag', { from, to: { connection: 'other', repository: 'x/y' }, expectDestination: null }, /needs a target tag/],
    ['referrers not a boolean', { from, to: { connection: 'other', repository: 'x/y' }, referrers: 'yes' }, /referrers must be a boolean/],
  ])('ARGS_INVALID for %s', async (_desc, payload, message) => {
    const { env } = await call(payload);
    expect(env).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID', message: expect.stringMatching(message) } });
  });

  it('ARGS_INVALID for a cancel without an operation id, and for an unknown preview key', async () => {
    expect(await other('image:copy-cancel', {})).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID', message: 'operationId is required' } });
    expect(await other('image:copy-preview', { from, to: { connection: 'other', repository: 'x/y' }, operationId: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'ARGS_INVALID', message: expect.stringContaining('unknown argument "operationId"') },
    });
  });
});
