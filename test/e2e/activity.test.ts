/**
 * The Activity screen in real Chromium against a real `berth serve --ui`: a push by skopeo, a push
 * refused for lack of rights, a user added in the GUI and a collection run by `berth gc` all show up
 * as the audit log on disk has them; the kind filter narrows the list on the server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src-server/contract/audit';
import { berthWorkspace, runBerth } from '../helpers/berth-server';
import { guiSession } from './harness';

const ws = berthWorkspace('berth-e2e-activity-');
const push = (src: string, dest: string, creds: string, allowFailure = false) =>
  gui.skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${gui.images.layout.dir}:${src}`, gui.ref(dest)], allowFailure);
const gui = guiSession(ws, {
  prepare: async (s) => {
    await push('amd64', 'demo/app:1.0', `admin:${s.server.password}`);
  },
});

const onDisk = (): AuditEntry[] =>
  readFileSync(join(gui.dataDir, 'berth', 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEntry);

describe('the Activity screen', () => {
  it('lists what the audit log holds, newest first, and filters by kind on the server', async () => {
    // A user added in the GUI, who may only pull: a push of theirs is refused.
    await gui.go('/users');
    await gui.page.getByTestId('add-user').click();
    await gui.page.getByTestId('user-name').fill('carol');
    await gui.page.getByTestId('user-password').fill('carol-Password-1');
    await gui.page.getByTestId('user-rights').fill('pull@*');
    await gui.page.getByTestId('save-user').click();
    await gui.page.locator('[data-testid="user-row"][data-user="carol"]').waitFor();
    const refused = await push('arm64', 'demo/app:2.0', 'carol:carol-Password-1', true);
    expect(refused.code).not.toBe(0);
    const gc = await runBerth(['gc', '--data', gui.dataDir]);
    expect(gc.code, gc.stderr).toBe(0);

    const entries = onDisk();
    // carol's push is refused at its first upload, and on record there.
    const expected = ['tag.push', 'user.add', 'blob.upload', 'gc.run'];
    expect(entries.map((e) => e.action)).toEqual(expected);

    await gui.go('/activity');
    await gui.page.getByTestId('activity-period').selectOption('all');
    const rows = gui.page.getByTestId('activity-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(entries.length);
    // Newest first: the same actions as on disk, reversed.
    const shown = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(shown).toEqual([...expected].reverse());
    const refusedRow = rows.nth(1);
    expect(await refusedRow.textContent()).toContain('carol');
    expect(await refusedRow.textContent()).toContain('DENIED');
    expect(await refusedRow.textContent()).toContain('demo/app');
    expect(await rows.nth(2).textContent()).toContain('web GUI');
    await gui.shot('activity');

    await gui.page.getByTestId('activity-kind').selectOption('access');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-action')).toBe('user.add');
  });
});
