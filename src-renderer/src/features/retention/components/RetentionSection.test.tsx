import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { notifications } from '@mantine/notifications';
import { afterEach, describe, expect, it } from 'vitest';
import type { RetentionAddArgs, RetentionListing, RetentionPolicyView, RetentionReport, RetentionRunArgs } from '../../../../../src-server/contract';
import { ApiCallError } from '../../../api/app-api';
import { createFakeApi, type FakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { RetentionSection } from './RetentionSection';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;

const view = (over: Partial<RetentionPolicyView> & Pick<RetentionPolicyView, 'name' | 'repos'>): RetentionPolicyView => ({ repositories: 0, kept: [], keptCount: 0, ...over });

const listing = (policies: RetentionPolicyView[], over: Partial<RetentionListing> = {}): RetentionListing => ({
  file: '/data/berth/retention.yml',
  schedule: null,
  policies,
  nextRun: null,
  lastRun: null,
  running: false,
  ...over,
});

const report = (over: Partial<RetentionReport> = {}): RetentionReport => ({
  dryRun: true,
  trigger: 'manual',
  startedAt: '2026-03-10T10:00:00.000Z',
  durationMs: 420,
  tags: [
    { repository: 'team/app', tag: 'v1', digest: D1, policies: ['last3'] },
    { repository: 'team/app', tag: 'v2', digest: D2, policies: ['last3', 'releases'] },
  ],
  manifests: [{ repository: 'team/app', digest: D3, policies: ['last3'] }],
  bytesFreed: 12_500_000,
  bytesLeftUntagged: 3_000_000,
  errors: [],
  ...over,
});

const last3 = view({
  name: 'last3',
  repos: 'team/*',
  keepLast: 3,
  keepTags: ['^release-'],
  untagged: true,
  repositories: 2,
  keptCount: 4,
  kept: [
    { repository: 'team/app', tag: 'v5', reasons: ['last'] },
    { repository: 'team/app', tag: 'release-1', reasons: ['last', 'pattern'] },
  ],
});
const recent = view({ name: 'recent', repos: 'web/**', keepNewerThan: '30d', repositories: 0 });

const calls = (api: FakeApi, channel: string) => api.calls.filter((c) => c.channel === channel).map((c) => c.args);

afterEach(() => notifications.clean());

describe('the retention policies', () => {
  it('shows each policy with what it keeps, how many repositories it matches and tags it keeps; a row opens which tags and why', async () => {
    renderScreen(<RetentionSection />, createFakeApi({ 'retention:list': listing([last3, recent]) }));
    const rows = await screen.findAllByTestId('policy-row');
    expect(rows.map((r) => r.getAttribute('data-policy'))).toEqual(['last3', 'recent']);
    expect(within(rows[0]!).getByTestId('policy-keeps').textContent).toBe('last 3 · tags matching ^release-');
    expect(within(rows[1]!).getByTestId('policy-keeps').textContent).toBe('newer than 30d');
    expect(within(rows[0]!).getByTestId('policy-repositories').textContent).toBe('2 repositories');
    expect(within(rows[0]!).getByText('removed')).toBeTruthy();
    expect(within(rows[1]!).getByText('left')).toBeTruthy();

    const toggle = within(rows[0]!).getByTestId('policy-kept-toggle');
    expect(toggle.textContent).toContain('4 tags');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    const kept = await screen.findByTestId('policy-kept');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(kept.textContent).toContain('The first 2 of 4 tags it keeps');
    const keptRows = within(kept).getAllByTestId('kept-row');
    expect(keptRows.map((r) => r.getAttribute('data-reference'))).toEqual(['team/app:v5', 'team/app:release-1']);
    expect(keptRows[1]!.textContent).toContain('among the last 3 pushed');
    expect(keptRows[1]!.textContent).toContain('matches ^release-');
    fireEvent.click(toggle);
    await waitFor(() => expect(screen.queryByTestId('policy-kept')).toBeNull());
  });

  it('says there is no policy yet, and Preview waits for one', async () => {
    renderScreen(<RetentionSection />, createFakeApi({ 'retention:list': listing([]) }));
    expect(await screen.findByText('No retention policy')).toBeTruthy();
    expect((screen.getByTestId('retention-preview') as HTMLButtonElement).disabled).toBe(true);
  });

  it('removes a policy after asking', async () => {
    const api = createFakeApi({ 'retention:list': listing([last3, recent]), 'retention:remove': listing([recent]) });
    renderScreen(<RetentionSection />, api);
    fireEvent.click(await screen.findByLabelText('Remove policy last3'));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('last3');
    fireEvent.click(within(dialog).getByTestId('policy-remove-confirm'));
    await waitFor(() => expect(calls(api, 'retention:remove')).toEqual([{ name: 'last3' }]));
    await waitFor(() => expect(screen.getAllByTestId('policy-row').map((r) => r.getAttribute('data-policy'))).toEqual(['recent']));
  });
});

describe('adding a policy', () => {
  /** Fills the form; the dialog is open. */
  async function fill(fields: { name: string; repos: string; keepLast?: string; newer?: string; tags?: string; untagged?: boolean }) {
    fireEvent.click(await screen.findByTestId('policy-add'));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByTestId('policy-name'), { target: { value: fields.name } });
    fireEvent.change(within(dialog).getByTestId('policy-repos'), { target: { value: fields.repos } });
    if (fields.keepLast !== undefined) fireEvent.change(within(dialog).getByTestId('policy-keep-last'), { target: { value: fields.keepLast } });
    if (fields.newer !== undefined) fireEvent.change(within(dialog).getByTestId('policy-keep-newer'), { target: { value: fields.newer } });
    if (fields.tags !== undefined) fireEvent.change(within(dialog).getByTestId('policy-keep-tags'), { target: { value: fields.tags } });
    if (fields.untagged) fireEvent.click(within(dialog).getByTestId('policy-untagged'));
    return dialog;
  }

  it('sends the fields of berth retention add, empty ones left out, one pattern per line, and shows the new policy', async () => {
    const added = view({ name: 'keep5', repos: 'team/*', keepLast: 5, keepNewerThan: '2w', keepTags: ['^v\\d+$', 'stable'], untagged: true, repositories: 3, keptCount: 7 });
    const api = createFakeApi({ 'retention:list': listing([]), 'retention:add': listing([added]) });
    renderScreen(<RetentionSection />, api);
    const dialog = await fill({ name: ' keep5 ', repos: 'team/*', keepLast: '5', newer: '2w', tags: '^v\\d+$\n\n  stable  \n', untagged: true });
    fireEvent.click(within(dialog).getByTestId('policy-add-confirm'));
    await waitFor(() =>
      expect(calls(api, 'retention:add')).toEqual([{ policy: { name: 'keep5', repos: 'team/*', keepLast: 5, keepNewerThan: '2w', keepTags: ['^v\\d+$', 'stable'], untagged: true } }]),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(within(await screen.findByTestId('policy-row')).getByTestId('policy-repositories').textContent).toBe('3 repositories');
  });

  it('POLICY_KEEPS_NOTHING: nothing is added until "Delete everything it matches", which sends it again with force', async () => {
    const everything = view({ name: 'purge', repos: 'tmp/*', keepLast: 0, repositories: 1 });
    const api = createFakeApi({
      'retention:list': listing([]),
      'retention:add': (args: RetentionAddArgs) => {
        if (!args.force) throw new ApiCallError('retention:add', { code: 'POLICY_KEEPS_NOTHING', message: 'the policy would delete every tag it matches: confirm with force' });
        return listing([everything]);
      },
    });
    renderScreen(<RetentionSection />, api);
    const dialog = await fill({ name: 'purge', repos: 'tmp/*', keepLast: '0' });
    fireEvent.click(within(dialog).getByTestId('policy-add-confirm'));
    const warning = await within(dialog).findByTestId('policy-keeps-nothing');
    expect(warning.textContent).toContain('This policy would delete every tag it matches');
    expect(warning.textContent).toContain('every tag of every repository matching tmp/*');
    expect(screen.queryByTestId('policy-row')).toBeNull();
    fireEvent.click(within(warning).getByTestId('policy-force'));
    await waitFor(() => expect(calls(api, 'retention:add')).toHaveLength(2));
    expect(calls(api, 'retention:add')[1]).toEqual({ policy: { name: 'purge', repos: 'tmp/*', keepLast: 0 }, force: true });
    expect((await screen.findByTestId('policy-row')).getAttribute('data-policy')).toBe('purge');
  });

  it('a changed field takes back the confirmation: the next send has no force', async () => {
    const api = createFakeApi({ 'retention:list': listing([]), 'retention:add': { error: { code: 'POLICY_KEEPS_NOTHING', message: 'confirm with force' } } });
    renderScreen(<RetentionSection />, api);
    const dialog = await fill({ name: 'purge', repos: 'tmp/*', keepLast: '0' });
    fireEvent.click(within(dialog).getByTestId('policy-add-confirm'));
    await within(dialog).findByTestId('policy-keeps-nothing');
    fireEvent.change(within(dialog).getByTestId('policy-repos'), { target: { value: '*' } });
    expect(within(dialog).queryByTestId('policy-keeps-nothing')).toBeNull();
    fireEvent.click(within(dialog).getByTestId('policy-add-confirm'));
    await waitFor(() => expect(calls(api, 'retention:add')).toHaveLength(2));
    expect(calls(api, 'retention:add')[1]).toEqual({ policy: { name: 'purge', repos: '*', keepLast: 0 } });
  });

  it('POLICY_INVALID (a bad regex or duration) is said in words and the dialog stays', async () => {
    const api = createFakeApi({ 'retention:list': listing([]), 'retention:add': { error: { code: 'POLICY_INVALID', message: 'keepTags[0]: invalid regular expression ( : unterminated group' } } });
    renderScreen(<RetentionSection />, api);
    const dialog = await fill({ name: 'bad', repos: '*', tags: '(' });
    fireEvent.click(within(dialog).getByTestId('policy-add-confirm'));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('Invalid retention policy');
    expect(alert.textContent).toContain('unterminated group');
  });

  it('POLICY_EXISTS offers to replace that policy', async () => {
    const api = createFakeApi({
      'retention:list': listing([last3]),
      'retention:add': (args: RetentionAddArgs) => {
        if (!args.replace) throw new ApiCallError('retention:add', { code: 'POLICY_EXISTS', message: 'a retention policy named last3 exists' });
        return listing([{ ...last3, keepLast: 9 }]);
      },
    });
    renderScreen(<RetentionSection />, api);
    const dialog = await fill({ name: 'last3', repos: 'team/*', keepLast: '9' });
    fireEvent.click(within(dialog).getByTestId('policy-add-confirm'));
    fireEvent.click(await within(dialog).findByTestId('policy-replace'));
    await waitFor(() => expect(calls(api, 'retention:add')[1]).toEqual({ policy: { name: 'last3', repos: 'team/*', keepLast: 9 }, replace: true }));
    await waitFor(() => expect(screen.getByTestId('policy-keeps').textContent).toContain('last 9'));
  });
});

describe('preview and run', () => {
  it('previews every tag and manifest that would go and the bytes, then Run now says the same and runs; the report matches', async () => {
    const api = createFakeApi({
      'retention:list': listing([last3]),
      'trash:list': { items: [], keepSeconds: 7 * 86_400, totals: { items: 0, bytes: 0, heldBytes: 0 } },
      'retention:run': (args: RetentionRunArgs) => report({ dryRun: args.dryRun === true }),
    });
    renderScreen(<RetentionSection />, api);
    expect((await screen.findByTestId('retention-run-now') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('retention-preview'));
    const preview = await screen.findByTestId('retention-preview-result');
    expect(calls(api, 'retention:run')).toEqual([{ dryRun: true }]);
    expect(within(preview).getByTestId('retention-preview-summary').textContent).toBe('Would remove 2 tags and 1 untagged manifest.');
    const removal = within(preview).getAllByTestId('retention-removal');
    expect(removal.map((r) => `${r.getAttribute('data-kind')} ${r.getAttribute('data-reference')}`)).toEqual(['tag team/app:v1', 'tag team/app:v2', `manifest team/app@${D3}`]);
    expect(removal[1]!.textContent).toContain('last3, releases');
    expect(within(preview).getByTestId('retention-bytes-freed').textContent).toContain('12.5 MB freed once they leave the trash and a garbage collection runs');
    expect(within(preview).getByTestId('retention-bytes-untagged').textContent).toContain('Another 3.00 MB is held by images whose last tag goes');

    fireEvent.click(screen.getByTestId('retention-run-now'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('retention-confirm-text').textContent).toBe(
      'This removes 2 tags and 1 untagged manifest, as previewed; 12.5 MB freed once they leave the trash and a garbage collection runs. They go to Recently deleted and can be restored for 7 days.',
    );
    fireEvent.click(within(dialog).getByTestId('retention-run-confirm'));
    const result = await screen.findByTestId('retention-run-result');
    expect(calls(api, 'retention:run')).toEqual([{ dryRun: true }, { dryRun: false }]);
    expect(within(result).getByTestId('retention-run-summary').textContent).toContain('Removed 2 tags and 1 untagged manifest in 0.4 s; they are in Recently deleted for 7 days.');
    expect(within(result).queryByTestId('retention-run-differs')).toBeNull();
    expect(within(result).getAllByTestId('retention-removal')).toHaveLength(3);
    // The run changed the registry: retention is read again.
    await waitFor(() => expect(calls(api, 'retention:list').length).toBeGreaterThan(1));
  });

  it('says so when the run removed otherwise than the preview listed', async () => {
    const api = createFakeApi({
      'retention:list': listing([last3]),
      'retention:run': (args: RetentionRunArgs) =>
        args.dryRun ? report() : report({ dryRun: false, tags: [{ repository: 'team/app', tag: 'v2', digest: D2, policies: ['last3'] }, { repository: 'team/app', tag: 'v9', digest: D1, policies: ['last3'] }] }),
    });
    renderScreen(<RetentionSection />, api);
    fireEvent.click(await screen.findByTestId('retention-preview'));
    await screen.findByTestId('retention-preview-result');
    fireEvent.click(screen.getByTestId('retention-run-now'));
    fireEvent.click(within(await screen.findByRole('dialog')).getByTestId('retention-run-confirm'));
    const differs = await screen.findByTestId('retention-run-differs');
    expect(differs.textContent).toContain('Also removed: team/app:v9');
    expect(differs.textContent).toContain('Not removed after all: team/app:v1');
  });

  it('BUSY reads "another run is going on"', async () => {
    const api = createFakeApi({ 'retention:list': listing([last3]), 'retention:run': { error: { code: 'BUSY', message: 'a retention run is going on' } } });
    renderScreen(<RetentionSection />, api);
    fireEvent.click(await screen.findByTestId('retention-preview'));
    expect((await screen.findByTestId('retention-busy')).textContent).toContain('Another run is going on');
  });

  it('a preview that removes nothing says so and offers no run', async () => {
    const api = createFakeApi({ 'retention:list': listing([last3]), 'retention:run': report({ tags: [], manifests: [], bytesFreed: 0, bytesLeftUntagged: 0 }) });
    renderScreen(<RetentionSection />, api);
    fireEvent.click(await screen.findByTestId('retention-preview'));
    expect((await screen.findByTestId('retention-preview-summary')).textContent).toBe('Nothing would be removed: every tag is kept by a policy.');
    expect((screen.getByTestId('retention-run-now') as HTMLButtonElement).disabled).toBe(true);
  });

  it('with the trash off, Run now says the removals are final', async () => {
    const api = createFakeApi({
      'retention:list': listing([last3]),
      'trash:list': { items: [], keepSeconds: 0, totals: { items: 0, bytes: 0, heldBytes: 0 } },
      'retention:run': report(),
    });
    renderScreen(<RetentionSection />, api);
    fireEvent.click(await screen.findByTestId('retention-preview'));
    await screen.findByTestId('retention-preview-result');
    fireEvent.click(screen.getByTestId('retention-run-now'));
    const text = within(await screen.findByRole('dialog')).getByTestId('retention-confirm-text');
    await waitFor(() => expect(text.textContent).toContain('The trash is off (trash.keep is 0): this cannot be undone.'));
    expect(text.textContent).not.toContain('Recently deleted');
  });
});

describe('the schedule', () => {
  it('shows the next run and the last result, sets and clears the schedule', async () => {
    const last = report({ dryRun: false, trigger: 'schedule', errors: [{ repository: 'team/app', tag: 'v1', message: 'the tag moved meanwhile' }] });
    const scheduled = listing([last3], { schedule: '24h', nextRun: '2026-03-11T10:00:00.000Z', lastRun: last });
    const api = createFakeApi({
      'retention:list': scheduled,
      'retention:schedule': (a) => (a.schedule === null ? { ...scheduled, schedule: null, nextRun: null } : { ...scheduled, schedule: a.schedule }),
    });
    renderScreen(<RetentionSection />, api);
    const next = await screen.findByTestId('retention-next-run');
    expect(next.textContent).toBe(`Every 24h; next run: ${new Date('2026-03-11T10:00:00.000Z').toLocaleString()}.`);
    const lastRun = screen.getByTestId('retention-last-run');
    expect(lastRun.textContent).toContain('(on schedule): removed 2 tags and 1 untagged manifest; 12.5 MB freed');
    expect(within(lastRun).getByTestId('retention-errors').textContent).toContain('team/app:v1 the tag moved meanwhile');

    const input = screen.getByTestId('retention-schedule-input') as HTMLInputElement;
    expect(input.value).toBe('24h');
    fireEvent.change(input, { target: { value: '12h' } });
    fireEvent.click(screen.getByTestId('retention-schedule-save'));
    await waitFor(() => expect(calls(api, 'retention:schedule')).toEqual([{ schedule: '12h' }]));
    await waitFor(() => expect(screen.getByTestId('retention-next-run').textContent).toContain('Every 12h'));
    fireEvent.click(screen.getByTestId('retention-schedule-clear'));
    await waitFor(() => expect(calls(api, 'retention:schedule')[1]).toEqual({ schedule: null }));
    await waitFor(() => expect(screen.getByTestId('retention-next-run').textContent).toContain('No schedule'));
  });

  it('an invalid duration is said in words', async () => {
    const api = createFakeApi({ 'retention:list': listing([last3]), 'retention:schedule': { error: { code: 'POLICY_INVALID', message: 'schedule: "soon" is not a duration' } } });
    renderScreen(<RetentionSection />, api);
    fireEvent.change(await screen.findByTestId('retention-schedule-input'), { target: { value: 'soon' } });
    fireEvent.click(screen.getByTestId('retention-schedule-save'));
    const alert = await within(screen.getByTestId('retention-schedule')).findByRole('alert');
    expect(alert.textContent).toContain('The schedule was not saved');
    expect(alert.textContent).toContain('"soon" is not a duration');
  });
});
