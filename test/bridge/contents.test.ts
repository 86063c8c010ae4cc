/**
 * The contents channels and the download through a real `berth serve --ui` (issue 18): the hand-made
 * image's merged files as known, a multi-arch image's platforms named when one is wrong, the
 * download behind the session and CSRF token with the file's bytes and a folder as a tar, and a
 * user without admin@* reading only where they may pull.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageFiles } from '../../src-server/contract';
import { berthWorkspace } from '../helpers/berth-server';
import { CONTENTS_FILES, pushContentsImages } from '../helpers/contents-image';
import { invoke, killUiServers, login, send, startUiServer, type Login } from './client';

const ws = berthWorkspace('berth-bridge-contents-');
afterAll(killUiServers);
const REPO = 'demo/contents';
let url: string;
let admin: Login;
let dev: Login;

beforeAll(async () => {
  const started = await startUiServer(ws.fresh());
  url = started.berth.url;
  admin = await login(url, { username: 'admin', password: started.password });
  await pushContentsImages(url, REPO, { authorization: `Basic ${Buffer.from(`admin:${started.password}`).toString('base64')}` });
  const added = await invoke(url, admin, 'users:add', { name: 'dev', password: 'dev-password-1', rules: 'pull@other/*' });
  expect(added.json?.ok, added.text).toBe(true);
  dev = await login(url, { username: 'dev', password: 'dev-password-1' });
});

const ref = { connection: 'local', repository: REPO, reference: 'v2' };
const download = (who: Login | undefined, params: Record<string, string>, csrf = who?.csrf) =>
  send(url, 'GET', `/_berth/api/contents/download?${new URLSearchParams({ ...ref, ...params, ...(csrf !== undefined ? { csrf } : {}) })}`, {
    headers: who ? { cookie: who.cookie } : {},
  });

describe('contents through the bridge', () => {
  it('lists the merged files of the hand-made image', async () => {
    const r = await invoke(url, admin, 'contents:files', ref);
    expect(r.json?.ok, r.text).toBe(true);
    const files = r.json.result as ImageFiles;
    expect(files.entries.filter((e) => e.type === 'file').map((e) => e.path)).toEqual(['bin/tool', 'etc/motd', 'etc/os-release', 'opt/new.txt', 'usr/share/doc/readme.txt']);
    expect(files.entries.find((e) => e.path === 'etc/motd')?.layer).toBe(1);
    // The core's own time, apart from the transfer: what the bench holds to its target.
    expect(String(r.headers['server-timing'])).toMatch(/^core;dur=\d+(\.\d)?$/);
    const preview = await invoke(url, admin, 'contents:preview', { ...ref, path: 'etc/motd' });
    expect(preview.json.result).toMatchObject({ path: 'etc/motd', text: CONTENTS_FILES.motdV2.toString(), truncated: false });
  });

  it('names the platforms of a multi-arch image when the one asked is not there', async () => {
    const r = await invoke(url, admin, 'contents:files', { ...ref, reference: 'multi', platform: 'linux/s390x' });
    expect(r.json?.error?.code, r.text).toBe('PLATFORM_UNKNOWN');
    expect(r.json.error.message).toContain('linux/amd64');
    expect(r.json.error.message).toContain('linux/arm64');
    const arm = await invoke(url, admin, 'contents:files', { ...ref, reference: 'multi', platform: 'linux/arm64' });
    expect(arm.json?.result?.platform, arm.text).toBe('linux/arm64');
  });

  it('downloads a file and a folder, behind the session and the CSRF token', async () => {
    const file = await download(admin, { path: 'bin/tool' });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect(file.headers['content-disposition']).toContain('attachment; filename="tool"');
    expect(file.body).toEqual(CONTENTS_FILES.tool);
    const folder = await download(admin, { path: 'etc' });
    expect(folder.status).toBe(200);
    expect(folder.headers['content-type']).toBe('application/x-tar');
    expect(folder.headers['content-disposition']).toContain('filename="etc.tar"');
    expect(folder.body.includes(CONTENTS_FILES.motdV2)).toBe(true);
    expect(folder.body.includes(CONTENTS_FILES.motdV1)).toBe(false);

    expect((await download(undefined, { path: 'etc/motd' }, '')).status).toBe(401);
    const noToken = await download(admin, { path: 'etc/motd' }, '');
    expect([noToken.status, noToken.json?.error?.code]).toEqual([403, 'CSRF']);
    const missing = await download(admin, { path: 'no/such/file' });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.json?.ok).toBe(false);
  });

  it('lets a user without admin@* read only where they may pull', async () => {
    const channel = await invoke(url, dev, 'contents:files', ref);
    expect(channel.json?.error?.code, channel.text).toBe('DENIED');
    const diff = await invoke(url, dev, 'contents:diff', { left: { ...ref, repository: 'other/app' }, right: ref });
    expect(diff.json?.error?.code).toBe('DENIED');
    const dl = await download(dev, { path: 'etc/motd' });
    expect([dl.status, dl.json?.error?.code]).toEqual([403, 'DENIED']);
  });
});
