import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { notifications } from '@mantine/notifications';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrashItem, TrashListing, TrashRestoreArgs, TrashRestoreResult } from '../../../../../src-server/contract';
import { ApiCallError } from '../../../api/app-api';
import { createFakeApi, type FakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { TrashSection } from './TrashSection';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;
const DAY = 86_400;

const item = (id: string, over: Partial<TrashItem> = {}): TrashItem => ({
  id,
  repository: 'team/app',
  digest: D1,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  kind: 'tag',
  tags: ['v1'],
  deletedAt: '2026-03-10T10:00:00.000Z',
  expiresAt: '2026-03-17T10:00:00.000Z',
  source: 'app',
  by: 'admin',
  bytes: 5_000_000,
  heldBytes: 4_000_000,
  ...over,
});

const listing = (items: TrashItem[], over: Partial<TrashListing> = {}): TrashListing => ({
  items,
  keepSeconds: 7 * DAY,
  totals: { items: items.length, bytes: items.reduce((t, i) => t + i.bytes, 0), heldBytes: items.reduce((t, i) => t + i.heldBytes, 0) },
  ...over,
});

const calls = (api: FakeApi, channel: string) => api.calls.filter((c) => c.channel === channel).map((c) => c.args);
const rows = () => screen.getAllByTestId('trash-row');

afterEach(() => notifications.clean());

describe('Recently deleted', () => {
  it('lists the items newest first as the server orders them: reference, kind, when and how, expiry and held bytes, with totals', async () => {
    const items = [
      item('3', { repository: 'web/site', tags: ['old-1'], source: 'retention', policy: 'nightly', by: undefined, heldBytes: 12_345_678 }),
      item('2', { kind: 'manifest', tags: [], digest: D2, source: 'registry-api', by: 'ci' }),
      item('1', { kind: 'manifest', tags: ['v2', 'latest', 'stable'], source: 'repository-delete' }),
    ];
    renderScreen(<TrashSection />, createFakeApi({ 'trash:list': listing(items) }));
    await screen.findByTestId('trash-table');
    expect(rows().map((r) => r.getAttribute('data-reference'))).toEqual(['web/site:old-1', `team/app@sha256:${'b'.repeat(12)}`, 'team/app:v2 +2 tags']);
    expect(within(rows()[0]!).getByTestId('trash-source').textContent).toBe('by retention policy nightly');
    expect(within(rows()[1]!).getByTestId('trash-source').textContent).toBe('through the registry API by ci');
    expect(within(rows()[2]!).getByTestId('trash-source').textContent).toBe('with its repository by admin');
    expect(within(rows()[0]!).getByText('tag')).toBeTruthy();
    expect(within(rows()[1]!).getByText('image')).toBeTruthy();
    expect(within(rows()[0]!).getByTestId('trash-held').textContent).toBe('12.3 MB');
    expect(within(rows()[0]!).getByTestId('trash-held').getAttribute('title')).toBe('12,345,678 bytes held of 5,000,000 it needs');
    expect(within(rows()[0]!).getByText(new Date('2026-03-17T10:00:00.000Z').toLocaleString())).toBeTruthy();
    const totals = screen.getByTestId('trash-totals').textContent!;
    expect(totals).toContain('3 items');
    expect(totals).toContain('20.3 MB held back from garbage collection');
    expect(totals).toContain('15.0 MB needed in all');
    expect(screen.getByTestId('trash-section').textContent).toContain('stay here for 7 days');
  });

  it('says when nothing was deleted, and Empty trash is off', async () => {
    renderScreen(<TrashSection />, createFakeApi({ 'trash:list': listing([], { keepSeconds: 36 * 3600 }) }));
    expect(await screen.findByText('Nothing was deleted recently')).toBeTruthy();
    expect(screen.getByTestId('trash-section').textContent).toContain('for 36 hours');
    expect((screen.getByTestId('trash-empty') as HTMLButtonElement).disabled).toBe(true);
  });

  it('restores an item by its id, says what came back, and reads the trash, usage and tags again', async () => {
    let current = listing([item('2', { tags: ['v2'] }), item('1')]);
    const api = createFakeApi({
      'trash:list': () => current,
      'trash:restore': (args: TrashRestoreArgs): TrashRestoreResult => {
        const restored = current.items.find((i) => 'id' in args && i.id === args.id)!;
        current = listing(current.items.filter((i) => i !== restored));
        return { item: restored, repository: restored.repository, digest: restored.digest, restoredTags: restored.tags, relinkedManifests: 1 };
      },
    });
    renderScreen(<TrashSection />, api);
    await screen.findByTestId('trash-table');
    fireEvent.click(screen.getByLabelText('Restore team/app:v1'));
    await waitFor(() => expect(calls(api, 'trash:restore')).toEqual([{ id: '1' }]));
    expect(await screen.findByText('team/app: v1 is back')).toBeTruthy();
    await waitFor(() => expect(rows().map((r) => r.getAttribute('data-id'))).toEqual(['2']));
    expect(calls(api, 'trash:list').length).toBe(2);
  });

  it.each([
    ['RESTORE_CONFLICT', 'the tag points at another image now', 'The tag points at another image now', 'pushed again since'],
    ['RESTORE_INCOMPLETE', 'content the item needs is no longer stored', 'This item can no longer be restored', 'removed for good'],
  ] as const)('%s: said in words next to the item, which stays', async (code, message, title, help) => {
    const api = createFakeApi({ 'trash:list': listing([item('1')]), 'trash:restore': { error: { code, message } } });
    renderScreen(<TrashSection />, api);
    fireEvent.click(await screen.findByLabelText('Restore team/app:v1'));
    const alert = await screen.findByTestId('trash-restore-error');
    expect(alert.textContent).toContain(title);
    expect(alert.textContent).toContain(message);
    expect(alert.textContent).toContain(help);
    expect(rows()).toHaveLength(1);
  });

  it('TRASH_ITEM_UNKNOWN: the item left meanwhile; said, and the list read again without it', async () => {
    let items = [item('1'), item('0', { tags: ['v0'] })];
    const api = createFakeApi({
      'trash:list': () => listing(items),
      'trash:restore': () => {
        items = [items[1]!];
        throw new ApiCallError('trash:restore', { code: 'TRASH_ITEM_UNKNOWN', message: 'not in the trash (restored, emptied, or expired)' });
      },
    });
    renderScreen(<TrashSection />, api);
    fireEvent.click(await screen.findByLabelText('Restore team/app:v1'));
    const alert = await screen.findByTestId('trash-restore-error');
    expect(alert.textContent).toContain('No longer in the trash');
    await waitFor(() => expect(rows().map((r) => r.getAttribute('data-id'))).toEqual(['0']));
    expect(screen.getByTestId('trash-restore-error').textContent).toContain('read again');
  });

  it('empties the trash after a confirmation naming how many items and bytes, sending the ids it named', async () => {
    let items = [item('2'), item('1', { heldBytes: 1_000_000 })];
    const api = createFakeApi({
      'trash:list': () => listing(items),
      'trash:empty': () => {
        items = [];
        return { removed: 2, heldBytes: 5_000_000 };
      },
    });
    renderScreen(<TrashSection />, api);
    fireEvent.click(await screen.findByTestId('trash-empty'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('trash-empty-text').textContent).toContain('2 items (5.00 MB held) leave the trash for good');
    expect(calls(api, 'trash:empty')).toEqual([]);
    fireEvent.click(within(dialog).getByTestId('trash-empty-confirm'));
    await waitFor(() => expect(calls(api, 'trash:empty')).toEqual([{ ids: ['2', '1'] }]));
    expect(await screen.findByText('Nothing was deleted recently')).toBeTruthy();
    expect(screen.getByText('2 items removed for good; a garbage collection can now free 5.00 MB.')).toBeTruthy();
  });

  it('pages a large trash, 50 items at a time', async () => {
    const items = Array.from({ length: 130 }, (_, i) => item(String(1000 - i), { tags: [`t${i}`] }));
    renderScreen(<TrashSection />, createFakeApi({ 'trash:list': listing(items) }));
    await screen.findByTestId('trash-table');
    expect(rows()).toHaveLength(50);
    expect(screen.getByTestId('trash-range').textContent).toBe('1–50 of 130 items');
    fireEvent.click(screen.getByRole('button', { name: '3' }));
    await waitFor(() => expect(rows()).toHaveLength(30));
    expect(rows()[0]!.getAttribute('data-reference')).toBe('team/app:t100');
    expect(screen.getByTestId('trash-range').textContent).toBe('101–130 of 130 items');
  });

  it('says when the trash is off (trash.keep 0): deletes are final', async () => {
    renderScreen(<TrashSection />, createFakeApi({ 'trash:list': listing([], { keepSeconds: 0 }) }));
    expect((await screen.findByTestId('trash-off')).textContent).toContain('deletes are final');
    expect(screen.getByTestId('trash-section').textContent).not.toContain('stay here for');
  });
});
