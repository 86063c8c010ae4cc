import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { GcOptions, GcReport, RepositoryUsage, UsageHistoryPoint, UsageHistorySeries, UsagePage, UsagePageArgs, UsageReport } from '../../../../../src-server/contract';
import { formatBytes } from '../../../app/format';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { useRoute } from '../../../app/route';
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

/** What the server answers for `usage:repositories`: the same order, slice and rest as usage/page.ts. */
function pager(repositories: RepositoryUsage[], totals: UsageReport['totals'] = totalsOf(repositories)) {
  return (a: UsagePageArgs): UsagePage => {
    const sort = a.sort ?? 'stored';
    const desc = a.descending ?? sort !== 'name';
    const sign = desc ? -1 : 1;
    const ordered = [...repositories].sort((x, y) =>
      sort === 'name' ? sign * x.name.localeCompare(y.name) : sign * (x[sort] - y[sort]) || x.name.localeCompare(y.name),
    );
    const offset = a.offset ?? 0;
    const limit = a.limit ?? 50;
    const after = ordered.slice(offset + limit);
    const sum = (k: 'stored' | 'shared' | 'unique') => after.reduce((t, r) => t + r[k], 0);
    return { totals, offset, repositories: ordered.slice(offset, offset + limit), rest: { repositories: after.length, stored: sum('stored'), shared: sum('shared'), unique: sum('unique') } };
  };
}

function totalsOf(repositories: RepositoryUsage[]): UsageReport['totals'] {
  return { repositories: repositories.length, manifests: 9, blobs: 42, stored: 123_000_000, reclaimable: 5_000_000, reclaimableUntagged: 7_000_000 , trashItems: 0, trashHeldBytes: 0};
}

const point = (day: string, stored: number, over: Partial<UsageHistoryPoint> = {}): UsageHistoryPoint => ({
  day,
  at: `${day}T00:00:00.000Z`,
  stored,
  repositories: 3,
  manifests: 5,
  blobs: 12,
  ...over,
});
const series = (points: UsageHistoryPoint[]): UsageHistorySeries => ({ points, retentionDays: 731 });

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

/** The answers every storage test needs: a page of `repositories` and a history. */
const answers = (repositories: RepositoryUsage[], history: UsageHistoryPoint[] = []) => ({
  'usage:repositories': pager(repositories),
  'usage:history': series(history),
  'registry:status': status,
});
const pageCalls = (api: ReturnType<typeof createFakeApi>) => api.calls.filter((c) => c.channel === 'usage:repositories');

describe('StorageScreen', () => {
  it('shows a loader while usage is measured', async () => {
    renderScreen(<StorageScreen />, createFakeApi({ 'usage:repositories': { pending: true }, 'registry:status': status }));
    expect(await screen.findByText('Measuring storage…')).toBeTruthy();
  });

  it('shows an error in words', async () => {
    renderScreen(<StorageScreen />, createFakeApi({ 'usage:repositories': { error: { code: 'UNAVAILABLE', message: 'the registry is not running' } }, 'registry:status': status }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The registry is stopped');
  });

  it('tells a newcomer what to do when nothing is stored, and that the history starts now', async () => {
    renderScreen(<StorageScreen />, createFakeApi(answers([], [point('2026-03-10', 0, { repositories: 0 })])));
    expect(await screen.findByText('Nothing stored yet')).toBeTruthy();
    expect(await screen.findByText('docker push 127.0.0.1:5000/alpine')).toBeTruthy();
    expect(await screen.findByText('One point per day from now on')).toBeTruthy();
    expect(screen.getByTestId('usage-history').textContent).toContain('So far: Mar 10, 2026, 0 B stored.');
    expect(screen.queryByTestId('usage-history-chart')).toBeNull();
    // Still there: a collection that just emptied the storage keeps its report on screen.
    expect(screen.getByTestId('gc-panel')).toBeTruthy();
  });

  it('shows the totals and every repository of the page as a treemap cell with its figures, linking to its tags', async () => {
    const repos = [repo('team/app', 500_000_000, { untagged: 10_000_000, tags: 4 }), repo('team/db', 120_000_000), repo('tools/ci', 3_000_000)];
    const api = createFakeApi(answers(repos));
    renderScreen(<StorageScreen />, api);
    const totals = await screen.findByTestId('usage-totals');
    expect(within(totals).getByTestId('total-repositories').textContent).toContain('3');
    expect(within(totals).getByTestId('total-stored').textContent).toContain('123.0 MB');
    expect(within(totals).getByTestId('total-reclaimable').textContent).toContain('5.00 MB');
    expect(within(totals).getByTestId('total-reclaimable-untagged').textContent).toContain('7.00 MB');

    const cells = await screen.findAllByTestId('treemap-cell');
    expect(cells.map((c) => c.getAttribute('data-repository'))).toEqual(['team/app', 'team/db', 'tools/ci']);
    const app = cells[0]!;
    expect(app.getAttribute('href')).toBe('#/browse/local/team%2Fapp');
    expect(app.getAttribute('aria-label')).toBe('team/app: 500.0 MB stored (500,000,000 bytes), 375.0 MB unique, 125.0 MB shared, 10.0 MB untagged, 4 tags');
    // The largest has room for its name and size.
    expect(within(app).getByTestId('treemap-label').textContent).toBe('team/app');
    expect(within(app).getByTestId('treemap-size').textContent).toBe('500.0 MB');
    expect(screen.queryByTestId('treemap-rest')).toBeNull();
    expect(screen.queryByTestId('treemap-next')).toBeNull();
    expect(screen.getByTestId('treemap-caption').textContent).toContain('All 3 repositories.');
    // One request served the totals and the treemap: the largest first, one page.
    expect(pageCalls(api).map((c) => c.args)).toEqual([{ sort: 'stored', descending: true, offset: 0, limit: 50 }]);

    fireEvent.focus(cells[1]!);
    expect(screen.getByTestId('treemap-readout').textContent).toBe('team/db: 120.0 MB stored (120,000,000 bytes), 90.0 MB unique, 30.0 MB shared, 0 B untagged, 2 tags');
    fireEvent.blur(cells[1]!);
    expect(screen.getByTestId('treemap-readout').textContent).toContain('Point at or focus a rectangle');
  });

  it('draws one page of thousands of repositories and groups the rest, which opens the next page', async () => {
    const repos = Array.from({ length: 3_000 }, (_, i) => repo(`r/${String(i).padStart(4, '0')}`, 3_000_000 - i * 900));
    const api = createFakeApi(answers(repos));
    renderScreen(<StorageScreen />, api);
    expect(await screen.findAllByTestId('treemap-cell')).toHaveLength(50);
    const rest = screen.getByTestId('treemap-rest');
    const after = repos.slice(50);
    const restStored = after.reduce((t, r) => t + r.stored, 0);
    expect(rest.getAttribute('aria-label')).toContain(`2,950 smaller repositories: ${formatBytes(restStored)} stored (${restStored.toLocaleString()} bytes)`);
    expect(screen.getByTestId('treemap-caption').textContent).toContain('The 50 largest of 3,000 repositories.');
    // Bounded: one page of rectangles, whatever the number of repositories.
    expect(screen.getByTestId('usage-treemap').querySelectorAll('rect').length).toBeLessThan(51 * 3 + 2);

    fireEvent.keyDown(rest, { key: 'Enter' });
    await waitFor(() => expect(screen.getAllByTestId('treemap-cell')[0]!.getAttribute('data-repository')).toBe('r/0050'));
    expect(pageCalls(api).at(-1)!.args).toEqual({ sort: 'stored', descending: true, offset: 50, limit: 50 });
    expect(screen.getByTestId('treemap-caption').textContent).toContain('Repositories 51–100 of 3,000, by size.');
    fireEvent.click(screen.getByTestId('treemap-rest'));
    await waitFor(() => expect(screen.getAllByTestId('treemap-cell')[0]!.getAttribute('data-repository')).toBe('r/0100'));
    expect(screen.getByTestId('treemap-next').textContent).toBe('Show the 2,850 smaller repositories ›');
    fireEvent.click(screen.getByTestId('treemap-next'));
    await waitFor(() => expect(screen.getAllByTestId('treemap-cell')[0]!.getAttribute('data-repository')).toBe('r/0150'));
    fireEvent.click(screen.getByTestId('treemap-level-0'));
    await waitFor(() => expect(screen.getAllByTestId('treemap-cell')[0]!.getAttribute('data-repository')).toBe('r/0000'));
  });

  it('shows the same figures as a table, sorted and paged by the server', async () => {
    const repos = Array.from({ length: 60 }, (_, i) => repo(`r${String(i).padStart(2, '0')}`, (i + 1) * 1_000_000, { tags: i % 7 }));
    const api = createFakeApi(answers(repos));
    renderScreen(<StorageScreen />, api);
    await screen.findAllByTestId('treemap-cell');
    fireEvent.click(within(screen.getByTestId('repository-usage')).getByRole('radio', { name: 'Table' }));
    let rows = await screen.findAllByTestId('usage-row');
    expect(rows).toHaveLength(50);
    expect(rows[0]!.getAttribute('data-repository')).toBe('r59');
    expect(within(rows[0]!).getByTestId('usage-stored').textContent).toBe('60.0 MB');
    expect(within(rows[0]!).getByTestId('usage-stored').getAttribute('title')).toBe('60,000,000 bytes');
    expect(within(rows[0]!).getByTestId('usage-unique').textContent).toBe('45.0 MB');
    expect(within(rows[0]!).getByTestId('usage-shared').textContent).toBe('15.0 MB');
    expect(screen.getByText('1–50 of 60 repositories')).toBeTruthy();

    fireEvent.click(screen.getByTestId('usage-sort-name'));
    await waitFor(() => expect(screen.getAllByTestId('usage-row')[0]!.getAttribute('data-repository')).toBe('r00'));
    expect(pageCalls(api).at(-1)!.args).toEqual({ sort: 'name', descending: false, offset: 0, limit: 50 });
    expect(screen.getByTestId('usage-sort-name').closest('th')!.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(screen.getByTestId('usage-sort-name'));
    await waitFor(() => expect(screen.getAllByTestId('usage-row')[0]!.getAttribute('data-repository')).toBe('r59'));
    expect(pageCalls(api).at(-1)!.args).toEqual({ sort: 'name', descending: true, offset: 0, limit: 50 });

    fireEvent.click(screen.getByRole('button', { name: '2' }));
    await waitFor(() => expect(screen.getAllByTestId('usage-row')).toHaveLength(10));
    rows = screen.getAllByTestId('usage-row');
    expect(rows[0]!.getAttribute('data-repository')).toBe('r09');
    expect(pageCalls(api).at(-1)!.args).toEqual({ sort: 'name', descending: true, offset: 50, limit: 50 });
  });

  it('draws the history with its latest day in the readout, and reads any day with the arrow keys', async () => {
    const points = [point('2026-03-01', 100_000_000), point('2026-03-02', 250_000_000), point('2026-03-05', 180_000_000, { at: '2026-03-05T14:07:00.000Z', repositories: 4 })];
    const api = createFakeApi(answers([repo('team/app', 10)], points));
    renderScreen(<StorageScreen />, api);
    const chart = await screen.findByTestId('usage-history-chart');
    const readout = screen.getByTestId('history-readout');
    expect(readout.textContent).toBe('Mar 5, 2026: 180.0 MB stored (180,000,000 bytes), 4 repositories, 5 manifests, 12 blobs; measured 14:07 UTC (latest)');
    expect(within(chart).getByTestId('history-marker').getAttribute('data-stored')).toBe('180000000');
    expect(within(chart).getAllByTestId('history-y-tick').map((t) => t.textContent)).toEqual(['0 B', '100.0 MB', '200.0 MB', '300.0 MB']);
    const xTicks = within(chart).getAllByTestId('history-x-tick').map((t) => t.textContent);
    expect(xTicks[0]).toBe('Mar 1');
    expect(xTicks.at(-1)).toBe('Mar 5');
    expect(api.calls.find((c) => c.channel === 'usage:history')!.args).toEqual({ days: 90 });

    const svg = chart.querySelector('svg')!;
    fireEvent.keyDown(svg, { key: 'ArrowLeft' });
    expect(readout.textContent).toBe('Mar 2, 2026: 250.0 MB stored (250,000,000 bytes), 3 repositories, 5 manifests, 12 blobs; measured 00:00 UTC');
    fireEvent.keyDown(svg, { key: 'Home' });
    expect(readout.textContent).toContain('Mar 1, 2026: 100.0 MB stored');
    fireEvent.keyDown(svg, { key: 'ArrowLeft' });
    expect(readout.textContent).toContain('Mar 1, 2026');
    fireEvent.keyDown(svg, { key: 'End' });
    expect(within(chart).getByTestId('history-marker').getAttribute('data-day')).toBe('2026-03-05');

    fireEvent.click(screen.getByRole('radio', { name: '1 year' }));
    await waitFor(() => expect(api.calls.filter((c) => c.channel === 'usage:history').at(-1)!.args).toEqual({ days: 365 }));
    fireEvent.click(within(screen.getByTestId('usage-history')).getByRole('radio', { name: 'Table' }));
    const rows = (await screen.findAllByTestId('history-row')).map((r) => r.getAttribute('data-day'));
    expect(rows).toEqual(['2026-03-05', '2026-03-02', '2026-03-01']);
  });

  it('previews a garbage collection, then runs it with progress, shows the report and measures usage and its history again', async () => {
    let finish: (r: GcReport) => void = () => {};
    const api = createFakeApi({
      ...answers([repo('team/app', 10_000_000)]),
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

    const usageCalls = pageCalls(api).length;
    const historyCalls = api.calls.filter((c) => c.channel === 'usage:history').length;
    finish(report({ dryRun: false }));
    const done = await screen.findByTestId('gc-report');
    expect(done.textContent).toContain('Removed 1 manifest and 2 blobs (4.00 MB) in 1.5 s');
    expect(done.textContent).toContain('2 recent blobs protected');
    await waitFor(() => expect(pageCalls(api).length).toBeGreaterThan(usageCalls));
    await waitFor(() => expect(api.calls.filter((c) => c.channel === 'usage:history').length).toBeGreaterThan(historyCalls));
  });

  it('says a collection is already running (BUSY)', async () => {
    const api = createFakeApi({ ...answers([repo('team/app', 10)]), 'gc:run': { error: { code: 'BUSY', message: 'a garbage collection is running' } } });
    renderScreen(<StorageScreen />, api);
    fireEvent.click(await screen.findByTestId('gc-preview'));
    expect((await within(screen.getByTestId('gc-panel')).findByRole('alert')).textContent).toContain('A collection is already running');
    expect(api.calls.find((c) => c.channel === 'gc:run')?.args).toEqual({ dryRun: true, deleteUntagged: false, graceSeconds: 3600 });
  });

  it('deletes a repository from the table once its name is typed, then measures usage again', async () => {
    const api = createFakeApi({ ...answers([repo('team/app', 10_000), repo('other', 5)]), 'repository:delete': { tags: 2, manifests: 3 } });
    renderScreen(<StorageScreen />, api);
    fireEvent.click(within(await screen.findByTestId('repository-usage')).getByRole('radio', { name: 'Table' }));
    fireEvent.click(await screen.findByLabelText('Delete repository team/app'));
    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByTestId('delete-repository-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(within(dialog).getByTestId('delete-repository-confirm-input'), { target: { value: 'team/ap' } });
    expect(confirm.disabled).toBe(true);
    fireEvent.change(within(dialog).getByTestId('delete-repository-confirm-input'), { target: { value: 'team/app' } });
    expect(confirm.disabled).toBe(false);
    const before = pageCalls(api).length;
    fireEvent.click(confirm);
    await waitFor(() => expect(api.calls.find((c) => c.channel === 'repository:delete')?.args).toEqual({ name: 'team/app' }));
    expect(await screen.findByText('Deleted team/app')).toBeTruthy();
    await waitFor(() => expect(pageCalls(api).length).toBeGreaterThan(before));
  });

  it('shows a failed delete in words', async () => {
    const api = createFakeApi({ ...answers([repo('team/app', 10_000)]), 'repository:delete': { error: { code: 'NAME_UNKNOWN', message: 'unknown repository team/app' } } });
    renderScreen(<StorageScreen />, api);
    fireEvent.click(within(await screen.findByTestId('repository-usage')).getByRole('radio', { name: 'Table' }));
    fireEvent.click(await screen.findByLabelText('Delete repository team/app'));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByTestId('delete-repository-confirm-input'), { target: { value: 'team/app' } });
    fireEvent.click(within(dialog).getByTestId('delete-repository-confirm'));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('The repository could not be deleted');
    expect(alert.textContent).toContain('unknown repository team/app');
  });

  it('says what the trash holds under the totals, linking to Recently deleted', async () => {
    const repos = [repo('team/app', 10_000)];
    renderScreen(<StorageScreen />, createFakeApi({ ...answers(repos), 'usage:repositories': pager(repos, { ...totalsOf(repos), trashItems: 12, trashHeldBytes: 34_000_000 }) }));
    const line = await screen.findByTestId('usage-trash');
    expect(line.textContent).toContain('Held in the trash: 12 items, 34.0 MB');
    expect(within(line).getByTestId('usage-trash-link').getAttribute('href')).toBe('#/storage/trash');
  });

  it('says the trash is empty when it is', async () => {
    renderScreen(<StorageScreen />, createFakeApi(answers([repo('team/app', 10_000)])));
    expect((await screen.findByTestId('usage-trash')).textContent).toContain('The trash is empty');
    expect(screen.queryByTestId('usage-trash-link')).toBeNull();
  });

  it('has Retention and Recently deleted as tabs with addresses, reachable by keyboard', async () => {
    window.location.hash = '#/storage';
    const api = createFakeApi({
      ...answers([repo('team/app', 10)]),
      'retention:list': { file: '/d/retention.yml', schedule: null, policies: [], nextRun: null, lastRun: null, running: false },
      'trash:list': { items: [], keepSeconds: 604_800, totals: { items: 0, bytes: 0, heldBytes: 0 } },
    });
    // The screen as the app shows it: its tab is the address's.
    function Routed() {
      const route = useRoute();
      return <StorageScreen tab={route.screen === 'storage' ? route.tab : undefined} />;
    }
    renderScreen(<Routed />, api);
    const tabs = await screen.findAllByRole('tab');
    expect(tabs.map((t) => t.textContent)).toEqual(['Usage', 'Retention', 'Recently deleted']);
    expect(tabs[0]!.getAttribute('aria-selected')).toBe('true');
    // Arrow keys move between the tabs (and the address follows).
    fireEvent.keyDown(screen.getByTestId('storage-tab-usage'), { key: 'ArrowRight' });
    await waitFor(() => expect(window.location.hash).toBe('#/storage/retention'));
    expect(await screen.findByTestId('retention-section')).toBeTruthy();
    expect(screen.queryByTestId('usage-totals')).toBeNull();
    fireEvent.click(screen.getByTestId('storage-tab-trash'));
    await waitFor(() => expect(window.location.hash).toBe('#/storage/trash'));
    expect(await screen.findByText('Nothing was deleted recently')).toBeTruthy();
    window.location.hash = '';
  });

  it('tells in the GC panel and when deleting a repository that deleted things stay restorable in the trash first', async () => {
    const api = createFakeApi({
      ...answers([repo('team/app', 10_000)]),
      'trash:list': { items: [], keepSeconds: 3 * 86_400, totals: { items: 0, bytes: 0, heldBytes: 0 } },
      'repository:delete': { tags: 2, manifests: 3 },
    });
    renderScreen(<StorageScreen />, api);
    await waitFor(() => expect(screen.getByTestId('gc-description').textContent).toContain('stay in Recently deleted for 3 days first: garbage collection frees nothing they need until they leave the trash'));
    fireEvent.click(within(screen.getByTestId('repository-usage')).getByRole('radio', { name: 'Table' }));
    fireEvent.click(await screen.findByLabelText('Delete repository team/app'));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('They go to Recently deleted and can be restored for 3 days; a garbage collection frees their blobs only after they leave the trash.');
    expect(dialog.textContent).not.toContain('cannot be undone');
    fireEvent.change(within(dialog).getByTestId('delete-repository-confirm-input'), { target: { value: 'team/app' } });
    fireEvent.click(within(dialog).getByTestId('delete-repository-confirm'));
    expect(await screen.findByText('2 tags and 3 manifests removed. They are in Recently deleted for 3 days; a garbage collection frees their blobs after that.')).toBeTruthy();
  });
});
