import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { notifications } from '@mantine/notifications';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionInfo, TagsDeletePlan, TagsDeleteResult, TagsPage, TagSummary } from '../../../../../src-server/contract';
import { createFakeApi, type FakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { DeleteTagsModal } from './DeleteTagsModal';
import { TagsScreen } from './TagsScreen';

const local: ConnectionInfo = { id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };
const connections = [local, { ...local, id: 'r2', name: 'Team registry', kind: 'registry' as const, url: 'http://127.0.0.1:5001' }];
const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

function tag(name: string, digest: string): TagSummary {
  return { name, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: ['linux/amd64'], size: 3_000_000, created: '2026-01-02T00:00:00Z', origin: null };
}
const page = (items: TagSummary[]): TagsPage => ({ items, next: null, total: items.length, listedAt: '2026-01-03T00:00:00Z' });

function setup(connection: string, items: TagSummary[], answers: Parameters<typeof createFakeApi>[0] = {}) {
  const api = createFakeApi({
    'connections:list': connections,
    'registry:status': { running: true, url: 'http://127.0.0.1:5000' },
    'browse:tags': page(items),
    'browse:repository-size': { repository: 'team/app', tags: items.length, images: 2, bytes: 6_000_000, failed: [] },
    ...answers,
  });
  renderScreen(<TagsScreen connection={connection} repository="team/app" />, api);
  return api;
}
const argsOf = (api: FakeApi, channel: string) => api.calls.filter((c) => c.channel === channel).map((c) => c.args);

async function select(names: string[]) {
  for (const n of names) fireEvent.click(await screen.findByLabelText(`Select ${n}`));
}

/** The dialog on its own, for `tags` of team/app on the local registry. */
function openAlone(tags: string[], answers: Parameters<typeof createFakeApi>[0]) {
  const api = createFakeApi(answers);
  renderScreen(<DeleteTagsModal connection="local" repository="team/app" tags={tags} onClose={() => {}} onDeleted={() => {}} />, api);
  return api;
}

async function openDialog() {
  fireEvent.click(screen.getByTestId('tags-delete'));
  return screen.findByTestId('delete-tags-modal');
}

const plan = (more: Partial<TagsDeletePlan> & Pick<TagsDeletePlan, 'images' | 'totals'>): TagsDeletePlan => ({
  connection: 'local',
  repository: 'team/app',
  method: 'tag',
  methodReason: 'The local registry deletes tags alone; an image left without a tag stays until a garbage collection deletes untagged manifests, once the deleted tags have left the trash.',
  missing: [],
  unresolved: [],
  ...more,
});

// Notifications live in one store for the whole file: each test starts without the last one's.
afterEach(() => notifications.clean());

describe('the delete dialog for a selection', () => {
  it('two tags of one digest and one other: no selected tag keeps an image; one image is left untagged', async () => {
    const items = [tag('a', D1), tag('b', D1), tag('c', D1), tag('d', D2)];
    const planned = plan({
      images: [
        { digest: D1, tags: ['a', 'b'], alsoDeleted: [], kept: ['c'], outcome: 'tagged' },
        { digest: D2, tags: ['d'], alsoDeleted: [], kept: [], outcome: 'untagged' },
      ],
      totals: { tags: 3, images: 2, untagged: 1, deleted: 0, reclaimable: 2_500_000 },
    });
    const result: TagsDeleteResult = { removed: ['a', 'b', 'd'], deletedManifests: [], untagged: [D2], failed: [] };
    const api = setup('local', items, { 'tags:delete-plan': planned, 'tags:delete': result });
    await select(['a', 'b', 'd']);
    const modal = await openDialog();
    // One call for the whole selection.
    await waitFor(() => expect(argsOf(api, 'tags:delete-plan')).toEqual([{ connection: 'local', repository: 'team/app', tags: ['a', 'b', 'd'] }]));
    expect(argsOf(api, 'tag:delete-preview')).toEqual([]);
    const summary = await within(modal).findByTestId('delete-summary');
    expect(summary.textContent).toContain('3 tags');
    expect(summary.textContent).toContain('2 images');
    expect(summary.textContent).toContain('1 left untagged');
    expect(summary.textContent).toContain('2.50 MB');
    fireEvent.click(within(modal).getByTestId('delete-details-toggle'));
    const rows = await within(modal).findAllByTestId('delete-image');
    expect(rows.map((r) => r.getAttribute('data-digest'))).toEqual([D1, D2]);
    expect(within(rows[0]!).getByTestId('delete-image-kept').textContent).toBe('Stays: c');
    expect(within(rows[0]!).getByTestId('delete-image-tags').textContent).toBe('Deleted: a, b');
    expect(rows[1]!.textContent).toMatch(/left untagged/i);
    // Neither a nor b is ever said to keep an image.
    expect(within(modal).getAllByTestId('delete-image-kept').map((e) => e.textContent)).toEqual(['Stays: c']);
    const confirm = within(modal).getByTestId('delete-tags-confirm');
    expect(confirm.textContent).toBe('Delete 3 tags');
    fireEvent.click(confirm);
    await waitFor(() =>
      expect(argsOf(api, 'tags:delete')).toEqual([
        { connection: 'local', repository: 'team/app', method: 'tag', images: [{ digest: D1, tags: ['a', 'b'], alsoDeleted: [] }, { digest: D2, tags: ['d'], alsoDeleted: [] }] },
      ]),
    );
    expect(await screen.findByText('3 tags deleted from team/app: a, b, d · 1 image left untagged')).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId('delete-tags-modal')).toBeNull());
    // The screens showing the repository are read again.
    await waitFor(() => expect(argsOf(api, 'browse:repository-size').length).toBeGreaterThan(1));
    expect(argsOf(api, 'browse:tags').length).toBeGreaterThan(1);
  });

  it('100 tags on one digest: totals first, details collapsed and paged, a small dialog', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `v${String(i).padStart(3, '0')}`);
    const planned = plan({
      images: [{ digest: D1, tags: names, alsoDeleted: [], kept: [], outcome: 'untagged' }],
      totals: { tags: 100, images: 1, untagged: 1, deleted: 0, reclaimable: 3_000_000 },
    });
    // The dialog alone (the screen's select-all of a 100-tag page is the Chromium test's part).
    const api = openAlone(names, { 'tags:delete-plan': planned });
    const modal = await screen.findByTestId('delete-tags-modal');
    await within(modal).findByTestId('delete-summary');
    expect(argsOf(api, 'tags:delete-plan')).toEqual([{ connection: 'local', repository: 'team/app', tags: names }]);
    expect(within(modal).queryAllByTestId('delete-image')).toHaveLength(0);
    expect(within(modal).getByTestId('delete-tags-confirm').textContent).toBe('Delete 100 tags');
    // Totals, not a card per tag: the whole dialog is a few lines of text.
    expect(modal.textContent!.length).toBeLessThan(1200);
    fireEvent.click(within(modal).getByTestId('delete-details-toggle'));
    const row = await within(modal).findByTestId('delete-image');
    // A hundred tag names on one image are shown a few at a time.
    expect(within(row).getByTestId('delete-image-tags').textContent).toMatch(/^Deleted: v000, v001, .* and \d+ more$/);
    expect(modal.textContent!.length).toBeLessThan(2000);
  });

  it('1,000 images: the details show ten at a time', async () => {
    const images = Array.from({ length: 1000 }, (_, i) => ({ digest: `sha256:${i.toString(16).padStart(64, '0')}`, tags: [`t${i}`], alsoDeleted: [], kept: [], outcome: 'untagged' as const }));
    openAlone(images.map((i) => i.tags[0]!), { 'tags:delete-plan': plan({ images, totals: { tags: 1000, images: 1000, untagged: 1000, deleted: 0, reclaimable: 9_000_000_000 } }) });
    const modal = await screen.findByTestId('delete-tags-modal');
    fireEvent.click(await within(modal).findByTestId('delete-details-toggle'));
    expect(await within(modal).findAllByTestId('delete-image')).toHaveLength(10);
    expect(within(modal).getByTestId('delete-tags-confirm').textContent).toBe('Delete 1,000 tags');
    fireEvent.click(within(within(modal).getByLabelText('Pages of images')).getByText('2', { selector: 'button' }));
    await waitFor(() => expect(within(modal).getAllByTestId('delete-image')[0]!.getAttribute('data-digest')).toBe(images[10]!.digest));
  });

  it('registry:2: the preview names the tags that go with the manifest, the button counts them, and they must be acknowledged', async () => {
    const items = [tag('1.0', D1), tag('latest', D1), tag('stable', D1), tag('2.0', D2)];
    const planned = plan({
      connection: 'r2',
      method: 'manifest',
      methodReason: 'This registry deletes whole manifests only (it answered DIGEST_INVALID to deleting a tag by its name, as registry:2 does): every tag on a deleted image goes with it.',
      images: [{ digest: D1, tags: ['1.0'], alsoDeleted: ['latest', 'stable'], kept: [], outcome: 'deleted' }],
      totals: { tags: 3, images: 1, untagged: 0, deleted: 1, reclaimable: null },
    });
    const api = setup('r2', items, { 'tags:delete-plan': planned, 'tags:delete': { removed: ['1.0', 'latest', 'stable'], deletedManifests: [D1], untagged: [], failed: [] } });
    await select(['1.0']);
    expect(screen.getByTestId('tags-delete').textContent).toBe('Delete 1 tag');
    const modal = await openDialog();
    const summary = await within(modal).findByTestId('delete-summary');
    expect(summary.textContent).toContain('1 image deleted');
    expect(summary.textContent).toMatch(/unknown on this registry/i);
    expect(within(modal).getByTestId('delete-method').textContent).toContain('whole manifests');
    expect(within(modal).getByTestId('delete-also').textContent).toBe('Not selected, deleted too: latest, stable');
    const confirm = within(modal).getByTestId('delete-tags-confirm') as HTMLButtonElement;
    expect(confirm.textContent).toBe('Delete 3 tags');
    expect(confirm.disabled).toBe(true);
    fireEvent.click(within(modal).getByTestId('delete-tags-siblings-ack'));
    await waitFor(() => expect(confirm.disabled).toBe(false));
    fireEvent.click(confirm);
    await waitFor(() =>
      expect(argsOf(api, 'tags:delete')).toEqual([{ connection: 'r2', repository: 'team/app', method: 'manifest', images: [{ digest: D1, tags: ['1.0'], alsoDeleted: ['latest', 'stable'] }] }]),
    );
    expect(await screen.findByText('3 tags deleted from team/app: 1.0, latest, stable')).toBeTruthy();
  });

  it('an unknown method and tags that could not be checked: both said, acknowledged, and the unresolved tags sent as accepted', async () => {
    const items = [tag('1.0', D1), tag('2.0', D2)];
    const planned = plan({
      connection: 'r2',
      method: 'unknown',
      methodReason: 'Berth could not find out how this registry deletes tags: the registry does not let this user delete here (403 DENIED).',
      images: [{ digest: D1, tags: ['1.0'], alsoDeleted: [], kept: [], outcome: 'deleted' }],
      unresolved: ['broken'],
      totals: { tags: 1, images: 1, untagged: 0, deleted: 1, reclaimable: null },
    });
    const api = setup('r2', items, { 'tags:delete-plan': planned, 'tags:delete': { removed: ['1.0'], deletedManifests: [D1], untagged: [], failed: [] } });
    await select(['1.0']);
    const modal = await openDialog();
    expect((await within(modal).findByTestId('delete-method')).textContent).toContain('403 DENIED');
    expect(within(modal).getByTestId('delete-unresolved').textContent).toContain('broken');
    const confirm = within(modal).getByTestId('delete-tags-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.click(within(modal).getByTestId('delete-tags-siblings-ack'));
    await waitFor(() => expect(confirm.disabled).toBe(false));
    fireEvent.click(confirm);
    await waitFor(() => expect(argsOf(api, 'tags:delete')).toEqual([{ connection: 'r2', repository: 'team/app', method: 'unknown', images: [{ digest: D1, tags: ['1.0'], alsoDeleted: [] }], unresolved: ['broken'] }]));
  });

  it('a registry that refuses deletes: says why and the confirm stays disabled', async () => {
    setup('r2', [tag('1.0', D1)], {
      'tags:delete-plan': plan({ connection: 'r2', method: 'unsupported', methodReason: 'This registry does not allow deletes (it answered 405 UNSUPPORTED).', images: [], totals: { tags: 0, images: 0, untagged: 0, deleted: 0, reclaimable: null } }),
    });
    await select(['1.0']);
    const modal = await openDialog();
    expect((await within(modal).findByTestId('delete-tags-unsupported')).textContent).toContain('405 UNSUPPORTED');
    expect((within(modal).getByTestId('delete-tags-confirm') as HTMLButtonElement).disabled).toBe(true);
  });

  it('selected tags that are gone are named and not counted', async () => {
    setup('local', [tag('1.0', D1), tag('old', D2)], {
      'tags:delete-plan': plan({ images: [{ digest: D1, tags: ['1.0'], alsoDeleted: [], kept: [], outcome: 'untagged' }], missing: ['old'], totals: { tags: 1, images: 1, untagged: 1, deleted: 0, reclaimable: 0 } }),
    });
    await select(['1.0', 'old']);
    const modal = await openDialog();
    expect((await within(modal).findByTestId('delete-missing')).textContent).toContain('old');
    expect(within(modal).getByTestId('delete-tags-confirm').textContent).toBe('Delete 1 tag');
  });

  it('shows what went and what failed, in words, and refreshes the list', async () => {
    const items = [tag('a', D1), tag('d', D2)];
    const api = setup('local', items, {
      'tags:delete-plan': plan({
        images: [
          { digest: D1, tags: ['a'], alsoDeleted: [], kept: [], outcome: 'untagged' },
          { digest: D2, tags: ['d'], alsoDeleted: [], kept: [], outcome: 'untagged' },
        ],
        totals: { tags: 2, images: 2, untagged: 2, deleted: 0, reclaimable: 10 },
      }),
      'tags:delete': { removed: ['d'], deletedManifests: [], untagged: [D2], failed: [{ digest: D1, tags: ['a'], error: { code: 'TAG_MOVED', message: 'team/app:a now points at sha256:ccc, not at sha256:aaa as planned; nothing of this image was deleted' } }] },
    });
    await select(['a', 'd']);
    const modal = await openDialog();
    fireEvent.click(await within(modal).findByTestId('delete-tags-confirm'));
    const outcome = await screen.findByTestId('delete-tags-outcomes');
    expect(within(outcome).getByTestId('delete-outcome-removed').textContent).toBe('Deleted: d');
    const failed = within(outcome).getByTestId('delete-outcome-failed');
    expect(failed.textContent).toContain('a');
    expect(failed.textContent).toContain('The tag changed meanwhile');
    expect(failed.textContent).toContain('now points at sha256:ccc');
    await waitFor(() => expect(argsOf(api, 'browse:tags').length).toBeGreaterThan(1));
  });

  it('a plan that fails is said in words, with nothing to confirm', async () => {
    setup('local', [tag('1.0', D1)], { 'tags:delete-plan': { error: { code: 'NAME_UNKNOWN', message: 'repository name not known to registry' } } });
    await select(['1.0']);
    const modal = await openDialog();
    expect((await within(modal).findByRole('alert')).textContent).toContain('No such repository');
    expect(within(modal).queryByTestId('delete-tags-confirm')).toBeNull();
  });
});

describe('the delete dialog and the trash', () => {
  const planned = plan({
    images: [{ digest: D1, tags: ['a'], alsoDeleted: [], kept: [], outcome: 'untagged' }],
    totals: { tags: 1, images: 1, untagged: 1, deleted: 0, reclaimable: 2_500_000 },
  });

  it('on the local registry: the tags go to Recently deleted, restorable for trash.keep, and GC frees their space only after', async () => {
    const api = openAlone(['a'], { 'tags:delete-plan': planned, 'trash:list': { items: [], keepSeconds: 7 * 86_400, totals: { items: 0, bytes: 0, heldBytes: 0 } } });
    const summary = await screen.findByTestId('delete-summary');
    await waitFor(() => expect(summary.textContent).toContain('Deleted tags go to Recently deleted and can be restored for 7 days.'));
    expect(summary.textContent).toContain('A garbage collection that deletes untagged manifests frees 2.50 MB only after they leave the trash.');
    expect(summary.textContent).not.toContain('then frees');
    expect(argsOf(api, 'trash:list')).toHaveLength(1);
  });

  it('on the local registry, says nothing about the space until it knows the trash: never "then frees", not even for a moment', async () => {
    let answer: (v: unknown) => void = () => undefined;
    const trash = new Promise((r) => (answer = r));
    const api = openAlone(['a'], { 'tags:delete-plan': planned, 'trash:list': (() => trash) as never });
    await waitFor(() => expect(argsOf(api, 'tags:delete-plan')).toHaveLength(1));
    await waitFor(() => expect(argsOf(api, 'trash:list')).toHaveLength(1));
    // The plan has come: only the trash is still unknown.
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('delete-summary')).toBeNull();
    answer({ items: [], keepSeconds: 7 * 86_400, totals: { items: 0, bytes: 0, heldBytes: 0 } });
    const summary = await screen.findByTestId('delete-summary');
    expect(summary.textContent).toContain('frees 2.50 MB only after they leave the trash.');
  });

  it('on another registry: no trash is promised and none is asked for', async () => {
    const api = createFakeApi({ 'tags:delete-plan': { ...planned, connection: 'r2' }, 'trash:list': { items: [], keepSeconds: 7 * 86_400, totals: { items: 0, bytes: 0, heldBytes: 0 } } });
    renderScreen(<DeleteTagsModal connection="r2" repository="team/app" tags={['a']} onClose={() => {}} onDeleted={() => {}} />, api);
    const summary = await screen.findByTestId('delete-summary');
    expect(summary.textContent).toContain('A garbage collection that deletes untagged manifests then frees 2.50 MB.');
    expect(summary.textContent).not.toContain('Recently deleted');
    expect(argsOf(api, 'trash:list')).toEqual([]);
  });
});
