import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { notifications } from '@mantine/notifications';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionInfo, SyncJob, SyncListing, SyncRunRecord, SyncSummary } from '../../../../../src-server/contract';
import { createFakeApi, type FakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { SyncScreen } from './SyncScreen';

const local: ConnectionInfo = { id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };
const hub: ConnectionInfo = { ...local, id: 'c-hub', name: 'Upstream', kind: 'registry', url: 'https://upstream.example.com' };

const mirror: SyncJob = {
  name: 'mirror-team',
  source: { connection: 'c-hub', repositories: ['team/*'] },
  tags: { include: ['^v'], exclude: ['-rc'], semver: '>=1.2 <2', newest: 3 },
  platforms: ['linux/amd64'],
  referrers: true,
  destination: { connection: 'local', namespace: 'mirror', stripPrefix: 'team/' },
  interval: '6h',
};
const run = (over: Partial<SyncRunRecord> = {}): SyncRunRecord => ({
  id: 'run-1',
  jobs: ['mirror-team'],
  trigger: 'schedule',
  dryRun: false,
  startedAt: '2026-03-10T10:00:00.000Z',
  endedAt: '2026-03-10T10:00:12.000Z',
  durationMs: 12_300,
  copied: 2,
  skipped: 5,
  failed: 1,
  bytes: 4_200_000,
  outcome: 'done',
  failures: [{ job: 'mirror-team', image: 'upstream.example.com/team/db:v1.3', code: 'MANIFEST_UNKNOWN', message: 'upstream.example.com/team/db:v1.3: no such tag' }],
  ...over,
});
const listing = (over: Partial<SyncListing> = {}): SyncListing => ({
  file: '/data/berth/sync.yml',
  jobs: [{ job: mirror, nextRun: '2026-03-10T16:00:00.000Z', lastRun: run() }],
  running: [],
  ...over,
});
const summary = (over: Partial<SyncSummary> = {}): SyncSummary => ({ runId: 'r2', dryRun: false, copied: 3, skipped: 1, failed: 0, bytes: 9_000_000, durationMs: 2_500, failures: [], jobs: [], ...over });

const calls = (api: FakeApi, channel: string) => api.calls.filter((c) => c.channel === channel).map((c) => c.args);

function setup(answers: Parameters<typeof createFakeApi>[0] = {}) {
  const api = createFakeApi({ 'connections:list': [local, hub], 'sync:list': listing(), 'sync:history': { runs: [run()] }, ...answers });
  renderScreen(<SyncScreen />, api);
  return api;
}

afterEach(() => notifications.clean());

describe('SyncScreen', () => {
  it('lists each job: source → destination by connection name, repositories, rules, schedule, and the last run with its counts', async () => {
    setup();
    const row = await screen.findByTestId('sync-job-row');
    expect(within(row).getByTestId('sync-job-route').textContent).toBe('Upstream → This computer');
    expect(within(row).getByTestId('sync-job-repositories').textContent).toBe('team/*');
    expect(within(row).getByTestId('sync-job-rules').textContent).toBe('matching ^v; not -rc; versions >=1.2 <2; newest 3 · linux/amd64 · with referrers · under mirror/, without team/');
    expect(within(row).getByTestId('sync-job-schedule').textContent).toBe('every 6h');
    expect(within(row).getByTestId('sync-job-last').textContent).toContain('2 copied, 5 skipped, 1 failed');
    expect(screen.getByTestId('sync-file').textContent).toContain('/data/berth/sync.yml');
  });

  it('says when the last run was a dry run', async () => {
    setup({ 'sync:list': listing({ jobs: [{ job: mirror, nextRun: null, lastRun: run({ dryRun: true, copied: 0, skipped: 3, failed: 0 }) }] }) });
    expect((await screen.findByTestId('sync-job-last')).textContent).toContain('0 copied, 3 skipped, 0 failed (dry run)');
  });

  it('shows the history: when, trigger, jobs, how long, the counts and each failure in words', async () => {
    setup();
    const row = await screen.findByTestId('sync-history-row');
    expect(row.textContent).toContain('on schedule');
    expect(row.textContent).toContain('mirror-team');
    expect(row.textContent).toContain('12.3 s');
    expect(within(row).getByTestId('sync-history-copied').textContent).toBe('24.20 MB');
    expect(within(row).getByTestId('sync-history-skipped').textContent).toBe('5');
    expect(within(row).getByTestId('sync-history-failed').textContent).toBe('1');
    expect(within(row).getByTestId('sync-history-failure').textContent).toBe('upstream.example.com/team/db:v1.3: upstream.example.com/team/db:v1.3: no such tag');
  });

  it('says when there are no jobs, and a broken sync.yml in words', async () => {
    setup({ 'sync:list': listing({ jobs: [] }), 'sync:history': { runs: [] } });
    expect(await screen.findByText('No sync jobs')).toBeTruthy();
    expect(await screen.findByTestId('sync-history-empty')).toBeTruthy();
  });

  it('shows a sync.yml the server cannot read as an error in words', async () => {
    setup({ 'sync:list': { error: { code: 'SYNC_FILE_INVALID', message: 'sync.yml line 4: jobs[0].source: expected a mapping' } } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The sync jobs could not be read');
    expect(alert.textContent).toContain('sync.yml line 4: jobs[0].source: expected a mapping');
  });

  it('dry-runs a job and lists exactly the images the server answered, with its counts', async () => {
    const images = [
      { job: 'mirror-team', source: 'upstream.example.com/team/app:v1.2', destination: '127.0.0.1:5000/mirror/app:v1.2', action: 'copy' as const },
      { job: 'mirror-team', source: 'upstream.example.com/team/app:v1.3', destination: '127.0.0.1:5000/mirror/app:v1.3', action: 'skip' as const },
    ];
    const api = setup({ 'sync:run': summary({ dryRun: true, copied: 0, skipped: 0, images }) });
    fireEvent.click(await screen.findByTestId('sync-job-dry-run'));
    const rows = await screen.findAllByTestId('sync-dry-image');
    expect(calls(api, 'sync:run')).toEqual([{ job: 'mirror-team', dryRun: true, trigger: 'gui' }]);
    expect(rows.map((r) => [within(r).getByTestId('sync-dry-source').textContent, within(r).getByTestId('sync-dry-destination').textContent, r.getAttribute('data-action')])).toEqual(
      images.map((i) => [i.source, i.destination, i.action]),
    );
    expect(screen.getByTestId('sync-dry-summary').textContent).toBe('Would copy 1 and skip 1 (already at the destination).');
  });

  it('runs a job with live progress for its own operation only, cancels it by that id, and shows the summary', async () => {
    let finish!: (s: SyncSummary) => void;
    const api = setup({ 'sync:run': () => new Promise<SyncSummary>((r) => (finish = r)), 'transfer:cancel': { cancelled: true } });
    fireEvent.click(await screen.findByTestId('sync-job-run'));
    await waitFor(() => expect(calls(api, 'sync:run')).toHaveLength(1));
    const args = calls(api, 'sync:run')[0] as { job: string; operationId: string; trigger: string };
    expect(args).toMatchObject({ job: 'mirror-team', trigger: 'gui' });
    expect(args.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await screen.findByTestId('sync-progress-text')).textContent).toBe('Starting…');
    const progress = { runId: 'r2', job: 'mirror-team', imagesDone: 2, imagesTotal: 4, copied: 1, skipped: 1, failed: 0, bytesDone: 3_000_000, bytesPerSecond: 1_500_000, current: ['upstream.example.com/team/app:v1.4'] };
    api.emit('sync:progress', { ...progress, operationId: 'someone-else', imagesDone: 9 });
    api.emit('sync:progress', { ...progress, operationId: args.operationId });
    await waitFor(() => expect(screen.getByTestId('sync-progress-text').textContent).toBe('2 of 4 images · 1 copied, 1 skipped, 0 failed · 3.00 MB at 1.50 MB/s'));
    expect(screen.getByTestId('sync-job-run').hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByTestId('sync-run-cancel'));
    await waitFor(() => expect(calls(api, 'transfer:cancel')).toEqual([{ operationId: args.operationId }]));
    finish(summary({ copied: 3, skipped: 1, failed: 1, failures: [{ job: 'mirror-team', image: 'upstream.example.com/team/db:v1.3', code: 'DENIED', message: 'the destination refused the push' }] }));
    expect((await screen.findByTestId('sync-run-summary')).textContent).toBe('The run ended3 copied, 1 skipped, 1 failed; 9.00 MB transferred in 2.5 s.');
    expect(screen.getByTestId('sync-failure').textContent).toBe('upstream.example.com/team/db:v1.3: the destination refused the push');
    // The run's end reads the jobs and the history again.
    await waitFor(() => expect(calls(api, 'sync:history').length).toBeGreaterThan(1));
  });

  it('says a cancelled run in words, and a run that fails as an error', async () => {
    setup({ 'sync:run': { error: { code: 'CANCELLED', message: 'the run was cancelled' } } });
    fireEvent.click(await screen.findByTestId('sync-job-run'));
    expect((await screen.findByTestId('sync-run-cancelled')).textContent).toContain('the next run goes on from there');
  });

  it('shows an unreachable source as the run error, in words', async () => {
    setup({ 'sync:run': { error: { code: 'UNREACHABLE', message: 'job mirror-team: upstream.example.com does not answer' } } });
    fireEvent.click(await screen.findByTestId('sync-job-dry-run'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The dry run failed');
    expect(alert.textContent).toContain('job mirror-team: upstream.example.com does not answer');
  });

  it('adds a job from the form: what is sent is what the form shows', async () => {
    const api = setup({ 'sync:save': listing() });
    fireEvent.click(await screen.findByTestId('sync-add'));
    const form = await screen.findByTestId('sync-job-form');
    const type = (id: string, value: string) => fireEvent.change(within(form).getByTestId(id), { target: { value } });
    type('sync-job-name', 'nightly');
    type('sync-job-repositories', 'library/alpine\nteam/*\n');
    type('sync-job-include', '^3\\.');
    type('sync-job-exclude', 'rc');
    type('sync-job-semver', '^3');
    type('sync-job-newest', '2');
    type('sync-job-platforms', 'linux/amd64, linux/arm64');
    fireEvent.click(within(form).getByTestId('sync-job-referrers'));
    type('sync-job-namespace', 'mirror');
    type('sync-job-interval', '1d');
    fireEvent.click(within(form).getByTestId('sync-job-save'));
    await waitFor(() => expect(calls(api, 'sync:save')).toHaveLength(1));
    expect(calls(api, 'sync:save')[0]).toEqual({
      job: {
        name: 'nightly',
        source: { connection: 'c-hub', repositories: ['library/alpine', 'team/*'] },
        tags: { include: ['^3\\.'], exclude: ['rc'], semver: '^3', newest: 2 },
        platforms: ['linux/amd64', 'linux/arm64'],
        referrers: true,
        destination: { connection: 'local', namespace: 'mirror' },
        interval: '1d',
      },
    });
    await waitFor(() => expect(screen.queryByTestId('sync-job-form')).toBeNull());
  });

  it("shows the server's refusal of a job in words, and offers to replace a job of the same name", async () => {
    const api = setup({ 'sync:save': { error: { code: 'SYNC_JOB_INVALID', message: 'job nightly: tags.include[0] "(" is not a valid regular expression' } } });
    fireEvent.click(await screen.findByTestId('sync-add'));
    const form = await screen.findByTestId('sync-job-form');
    fireEvent.change(within(form).getByTestId('sync-job-name'), { target: { value: 'mirror-team' } });
    fireEvent.change(within(form).getByTestId('sync-job-repositories'), { target: { value: 'app' } });
    fireEvent.click(within(form).getByTestId('sync-job-save'));
    const alert = await within(form).findByRole('alert');
    expect(alert.textContent).toContain('The sync job is not valid');
    expect(alert.textContent).toContain('tags.include[0] "(" is not a valid regular expression');
    api.answer('sync:save', { error: { code: 'SYNC_JOB_EXISTS', message: 'a sync job named mirror-team exists' } });
    fireEvent.click(within(form).getByTestId('sync-job-save'));
    fireEvent.click(await within(form).findByTestId('sync-job-replace'));
    await waitFor(() => expect(calls(api, 'sync:save')).toHaveLength(3));
    expect(calls(api, 'sync:save')[2]).toMatchObject({ replace: true, job: { name: 'mirror-team' } });
  });

  it('edits a job (its form filled from the job) and saves it as a replacement', async () => {
    const api = setup({ 'sync:save': listing() });
    fireEvent.click(await screen.findByTestId('sync-job-edit'));
    const form = await screen.findByTestId('sync-job-form');
    expect((within(form).getByTestId('sync-job-semver') as HTMLInputElement).value).toBe('>=1.2 <2');
    fireEvent.change(within(form).getByTestId('sync-job-interval'), { target: { value: '12h' } });
    fireEvent.click(within(form).getByTestId('sync-job-save'));
    await waitFor(() => expect(calls(api, 'sync:save')).toEqual([{ job: { ...mirror, interval: '12h' }, replace: true }]));
  });

  it('removes a job after a confirmation', async () => {
    const api = setup({ 'sync:remove': listing({ jobs: [] }) });
    fireEvent.click(await screen.findByTestId('sync-job-remove'));
    fireEvent.click(await screen.findByTestId('sync-remove-confirm'));
    await waitFor(() => expect(calls(api, 'sync:remove')).toEqual([{ name: 'mirror-team' }]));
    expect(await screen.findByText('No sync jobs')).toBeTruthy();
  });

  it('says a job is running now (scheduled or from elsewhere) with its progress, and offers no second run of it', async () => {
    setup({ 'sync:list': listing({ running: [{ operationId: null, runId: 'r9', job: 'mirror-team', imagesDone: 2, imagesTotal: 4, copied: 1, skipped: 1, failed: 0, bytesDone: 0, bytesPerSecond: null, current: [] }] }) });
    const row = await screen.findByTestId('sync-job-row');
    expect(within(row).getByTestId('sync-job-last').textContent).toBe('running · 2 of 4 images');
    expect(within(row).getByTestId('sync-job-run').hasAttribute('disabled')).toBe(true);
  });
});
