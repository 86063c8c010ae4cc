import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConnectionInfo, TagsPage, TagSummary } from '../../../../../src-server/contract';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { TagsScreen } from '../../browse/components/TagsScreen';
import { imageDiff } from '../fixtures';
import { withLayoutSize } from '../layout-for-tests';

withLayoutSize();

const local: ConnectionInfo = { id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };
const hub: ConnectionInfo = { ...local, id: 'c1', name: 'Old registry', kind: 'registry', url: 'https://old.example.com' };
const tag = (name: string): TagSummary => ({ name, digest: `sha256:${'a'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: ['linux/amd64'], size: 3000, created: null, origin: null });
const page = (names: string[]): TagsPage => ({ items: names.map(tag), next: null, total: names.length, listedAt: '2026-01-03T00:00:00Z' });

function setup() {
  const api = createFakeApi({
    'connections:list': [local, hub],
    'registry:status': { running: true, url: 'http://127.0.0.1:5000' },
    'browse:tags': (args) => (args.connection === 'c1' ? page(['9.9']) : page(['v1', 'v2', 'v3'])),
    'browse:repository-size': { repository: 'team/app', tags: 3, images: 3, bytes: 9000, failed: [] },
    'access:repository': { pull: true, push: true, delete: true, admin: true },
    'contents:diff': imageDiff(),
  });
  renderScreen(<TagsScreen connection="local" repository="team/app" />, api);
  return api;
}

describe('Compare on the tags screen', () => {
  it('compares two tags of the repository and shows the server diff', async () => {
    const api = setup();
    fireEvent.click(await screen.findByTestId('tags-compare'));
    const left = (await screen.findByTestId('compare-left-tag')) as HTMLInputElement;
    // The first two tags on screen fill the form.
    expect(left.value).toBe('v1');
    expect((screen.getByTestId('compare-right-tag') as HTMLInputElement).value).toBe('v2');
    fireEvent.click(screen.getByTestId('compare-run'));
    const result = await screen.findByTestId('compare-result');
    expect(api.calls.find((c) => c.channel === 'contents:diff')?.args).toEqual({
      left: { connection: 'local', repository: 'team/app', reference: 'v1' },
      right: { connection: 'local', repository: 'team/app', reference: 'v2' },
    });
    expect(within(result).getByTestId('compare-size').textContent).toContain('Size -50 B');
    expect(within(result).getByTestId('compare-size').textContent).toContain('2.05 KB → 2.00 KB');
    expect(within(result).getByTestId('compare-counts').textContent).toBe('3 paths differ: 1 added · 1 removed · 1 changed · 2 config changes');
    expect(within(result).getByTestId('compare-layers').textContent).toContain('1 layer shared (1.00 KB) · 1 only left (50 B) · 0 only right (0 B)');
    const config = within(result).getByTestId('compare-config');
    expect(config.textContent).toContain('env VERSION');
    expect(config.textContent).toContain('(none)');
    await waitFor(() => expect(within(result).getAllByTestId('diff-row')).toHaveLength(3));
    const changed = within(result).getAllByTestId('diff-row').find((r) => r.getAttribute('data-kind') === 'changed')!;
    expect(changed.getAttribute('data-path')).toBe('etc/motd');
    expect(changed.textContent).toContain('size');
    expect(changed.textContent).toContain('content');
    expect(changed.textContent).toContain('-rw-r--r-- → -rw-------');
    fireEvent.click(within(result).getByText('Removed 1'));
    await waitFor(() => expect(within(result).getAllByTestId('diff-row').map((r) => r.getAttribute('data-path'))).toEqual(['tmp/cache/big']));
  });

  it('takes the second image from another connection and repository, with a platform', async () => {
    const api = setup();
    fireEvent.click(await screen.findByTestId('tags-compare'));
    await screen.findByTestId('compare-left-tag');
    await waitFor(() => expect((screen.getByTestId('compare-right-connection') as HTMLInputElement).value).toBe('This computer'));
    fireEvent.click(screen.getByLabelText('Right connection'));
    fireEvent.click(await screen.findByText('Old registry'));
    fireEvent.change(screen.getByTestId('compare-right-repository'), { target: { value: 'library/app' } });
    fireEvent.change(screen.getByTestId('compare-right-tag'), { target: { value: '9.9' } });
    fireEvent.change(screen.getByTestId('compare-platform'), { target: { value: 'linux/arm64' } });
    // The tag picker lists the other repository's tags.
    await waitFor(() => expect(api.calls.some((c) => c.channel === 'browse:tags' && (c.args as { connection: string }).connection === 'c1')).toBe(true));
    fireEvent.click(screen.getByTestId('compare-run'));
    await screen.findByTestId('compare-result');
    expect(api.calls.find((c) => c.channel === 'contents:diff')?.args).toEqual({
      left: { connection: 'local', repository: 'team/app', reference: 'v1', platform: 'linux/arm64' },
      right: { connection: 'c1', repository: 'library/app', reference: '9.9', platform: 'linux/arm64' },
    });
  });

  it('needs both tags before comparing, and shows a failure in words', async () => {
    const api = setup();
    api.answer('contents:diff', { error: { code: 'PLATFORM_UNKNOWN', message: 'team/app:v1 is multi-arch: choose one of linux/amd64, linux/arm64' } });
    fireEvent.click(await screen.findByTestId('tags-compare'));
    fireEvent.change(await screen.findByTestId('compare-right-tag'), { target: { value: '' } });
    expect((screen.getByTestId('compare-run') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('compare-right-tag'), { target: { value: 'v3' } });
    fireEvent.click(screen.getByTestId('compare-run'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The images could not be compared');
    expect(alert.textContent).toContain('linux/amd64, linux/arm64');
  });
});
