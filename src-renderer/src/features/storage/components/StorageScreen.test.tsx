import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { GcOptions, GcReport, RepositoryUsage, UsageReport } from '../../../../../src-server/contract';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { StorageScreen } from './StorageScreen';

const repo = (name: string, stored: number, over: Partial<RepositoryUsage> = {}): RepositoryUsage => ({
  name,
  stored,
  shared: Math.round(stored / 4),
  unique: stored - Math.round(stored / 4),
  untagged: 0,
  tags: 2,
  manifests: 3,
  ...over,
});

const usage = (repositories: RepositoryUsage[]): UsageReport => ({
  totals: { repositories: repositories.length, manifests: 9, blobs: 42, stored: 123_000_000, reclaimable: 5_000_000, reclaimableUntagged: 7_000_000 },
  repositories,
});

const empty: UsageReport = { totals: { repositories: 0, manifests: 0, blobs: 0, stored: 0, reclaimable: 0, reclaimableUntagged: 0 }, repositories: [] };

const report = (over: Partial<GcReport> = {}): GcReport => ({
  dryRun: true,
  deleteUntagged: true,
  startedAt: '2026-01-01T00:00:00Z',
  durationMs: 1500,
  manifestsRemoved: [{ repository: 'team/old', digest: `sha256:${'a'.repeat(64)}` }],
  blobsRemoved: [
    { digest: `sha256:${'1'.repeat(64)}`, size: 1_000 },
    { digest: `sha256:${'2'.repeat(64)}`, size: 4_000_000 },
  ],
  bytesRemoved: 4_001_000,
  blobsKept: 40,
  manifestsKept: 8,
  blobsProtected: 2,
  ...over,
});

const status = { running: true, url: 'http://127.0.0.1:5000' };

describe('StorageScreen', () => {
  it('shows a loader while usage is measured', async () => {
    renderScreen(<StorageScreen />, createFakeApi({ 'usage:registry': { pending: true }, 'registry:status': status }));
    expect(await screen.findByText('Measuring storage…')).toBeTruthy();
  });

  it('shows an error in words', async () => {
    renderScreen(<StorageScreen />, createFakeApi({ 'usage:registry': { error: { code: 'UNAVAILABLE', message: 'the registry is not running' } }, 'registry:status': status }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The registry is stopped');
  });

  it('tells a newcomer what to do when nothing is stored', async () => {
    renderScreen(<StorageScreen />, createFakeApi({ 'usage:registry': empty, 'registry:status': status }));
    expect(await screen.findByText('Nothing stored yet')).toBeTruthy();
    expect(await screen.findByText('docker push 127.0.0.1:5000/alpine')).toBeTruthy();
    // Still there: a collection that just emptied the storage keeps its report on screen.
    expect(screen.getByTestId('gc-panel')).toBeTruthy();
  });

  it('shows totals and repositories largest first, at most 20, linking to their tags', async () => {
    const repos = Array.from({ length: 25 }, (_, i) => repo(`r${String(i).padStart(2, '0')}`, (i + 1) * 1_000_000));
    repos.push(repo('team/app', 500_000_000, { untagged: 10_000_000 }));
    renderScreen(<StorageScreen />, createFakeApi({ 'usage:registry': usage(repos), 'registry:status': status }));
    const totals = await screen.findByTestId('usage-totals');
    expect(within(totals).getByTestId('total-repositories').textContent).toContain('26');
    expect(within(totals).getByTestId('total-stored').textContent).toContain('123.0 MB');
    expect(within(totals).getByTestId('total-reclaimable').textContent).toContain('5.00 MB');
    expect(within(totals).getByTestId('total-reclaimable-untagged').textContent).toContain('7.00 MB');
    const bars = within(screen.getByTestId('repository-bars')).getAllByRole('listitem');
    expect(bars).toHaveLength(20);
    expect(bars[0]!.getAttribute('data-testid')).toBe('repository-bar-team/app');
    expect(bars[0]!.textContent).toContain('500.0 MB stored · 375.0 MB unique · 10.0 MB untagged');
    expect(bars[1]!.getAttribute('data-testid')).toBe('repository-bar-r24');
    expect(within(bars[0]!).getByText('team/app').getAttribute('href')).toBe('#/browse/local/team%2Fapp');
    expect(screen.getByText('The 20 largest of 26 repositories.')).toBeTruthy();
  });

  it('previews a garbage collection, then runs it with progress and shows the report', async () => {
    let finish: (r: GcReport) => void = () => {};
    const api = createFakeApi({
      'usage:registry': usage([repo('team/app', 10_000_000)]),
      'registry:status': status,
      'gc:run': (args: GcOptions) => (args.dryRun ? report() : new Promise<GcReport>((resolve) => (finish = resolve))),
    });
    renderScreen(<StorageScreen />, api);
    fireEvent.click(await screen.findByLabelText('Delete untagged manifests'));
    fireEvent.change(screen.getByLabelText('Grace period (minutes)'), { target: { value: '5' } });
    fireEvent.click(screen.getByTestId('gc-preview'));

    const preview = await screen.findByTestId('gc-preview-result');
    expect(api.calls.filter((c) => c.channel === 'gc:run').map((c) => c.args)).toEqual([{ dryRun: true, deleteUntagged: true, graceSeconds: 300 }]);
    expect(preview.textContent).toContain('Would remove 1 manifest and 2 blobs: 4.00 MB.');
    const blobRows = within(screen.getByRole('table', { name: 'Blobs to remove' })).getAllByRole('row');
    expect(blobRows[0]!.textContent).toContain('sha256:222222222222');
    expect(within(screen.getByRole('table', { name: 'Manifests to remove' })).getByText('team/old')).toBeTruthy();

    fireEvent.click(screen.getByTestId('gc-run'));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('1 manifest and 2 blobs (4.00 MB)');
    fireEvent.click(within(dialog).getByTestId('gc-confirm'));
    await waitFor(() => expect(api.calls.filter((c) => c.channel === 'gc:run')).toHaveLength(2));
    expect(api.calls.filter((c) => c.channel === 'gc:run')[1]!.args).toEqual({ dryRun: false, deleteUntagged: true, graceSeconds: 300 });

    const bar = await screen.findByRole('progressbar', { name: 'Garbage collection progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('100'); // indeterminate before the first event
    api.emit('gc:progress', { phase: 'mark', done: 0, total: 0 });
    await waitFor(() => expect(screen.getByTestId('gc-progress-text').textContent).toBe('Marking what is in use…'));
    api.emit('gc:progress', { phase: 'blobs', done: 1, total: 4 });
    await waitFor(() => expect(screen.getByTestId('gc-progress-text').textContent).toBe('Removing blobs: 1 of 4'));
    expect(screen.getByRole('progressbar', { name: 'Garbage collection progress' }).getAttribute('aria-valuenow')).toBe('25');

    const usageCalls = api.calls.filter((c) => c.channel === 'usage:registry').length;
    finish(report({ dryRun: false }));
    const done = await screen.findByTestId('gc-report');
    expect(done.textContent).toContain('Removed 1 manifest and 2 blobs (4.00 MB) in 1.5 s');
    expect(done.textContent).toContain('2 recent blobs protected');
    await waitFor(() => expect(api.calls.filter((c) => c.channel === 'usage:registry').length).toBeGreaterThan(usageCalls));
  });

  it('says a collection is already running (BUSY)', async () => {
    const api = createFakeApi({ 'usage:registry': usage([repo('team/app', 10)]), 'registry:status': status, 'gc:run': { error: { code: 'BUSY', message: 'a garbage collection is running' } } });
    renderScreen(<StorageScreen />, api);
    fireEvent.click(await screen.findByTestId('gc-preview'));
    expect((await within(screen.getByTestId('gc-panel')).findByRole('alert')).textContent).toContain('A collection is already running');
    expect(api.calls.find((c) => c.channel === 'gc:run')?.args).toEqual({ dryRun: true, deleteUntagged: false, graceSeconds: 3600 });
  });

  it('deletes a repository once its name is typed, then refreshes usage', async () => {
    const api = createFakeApi({ 'usage:registry': usage([repo('team/app', 10_000), repo('other', 5)]), 'registry:status': status, 'repository:delete': { tags: 2, manifests: 3 } });
    renderScreen(<StorageScreen />, api);
    fireEvent.click(await screen.findByLabelText('Delete repository team/app'));
    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByTestId('delete-repository-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(within(dialog).getByTestId('delete-repository-confirm-input'), { target: { value: 'team/ap' } });
    expect(confirm.disabled).toBe(true);
    fireEvent.change(within(dialog).getByTestId('delete-repository-confirm-input'), { target: { value: 'team/app' } });
    expect(confirm.disabled).toBe(false);
    const before = api.calls.filter((c) => c.channel === 'usage:registry').length;
    fireEvent.click(confirm);
    await waitFor(() => expect(api.calls.find((c) => c.channel === 'repository:delete')?.args).toEqual({ name: 'team/app' }));
    expect(await screen.findByText('Deleted team/app')).toBeTruthy();
    await waitFor(() => expect(api.calls.filter((c) => c.channel === 'usage:registry').length).toBeGreaterThan(before));
  });

  it('shows a failed delete in words', async () => {
    const api = createFakeApi({ 'usage:registry': usage([repo('team/app', 10_000)]), 'registry:status': status, 'repository:delete': { error: { code: 'NAME_UNKNOWN', message: 'unknown repository team/app' } } });
    renderScreen(<StorageScreen />, api);
    fireEvent.click(await screen.findByLabelText('Delete repository team/app'));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByTestId('delete-repository-confirm-input'), { target: { value: 'team/app' } });
    fireEvent.click(within(dialog).getByTestId('delete-repository-confirm'));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('The repository could not be deleted');
    expect(alert.textContent).toContain('unknown repository team/app');
  });
});
