import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { imageLayers } from '../fixtures';
import { withLayoutSize } from '../layout-for-tests';
import { LayersTab } from './LayersTab';

withLayoutSize();

const image = { connection: 'local', repository: 'team/app', reference: 'v2' };
const changes = () => screen.queryAllByTestId('change-row').map((r) => `${r.getAttribute('data-kind')} ${r.getAttribute('data-path')}`);

describe('LayersTab', () => {
  it('lists each layer with what built it, its size, changes and waste, and the totals', async () => {
    const api = createFakeApi({ 'contents:layers': imageLayers() });
    renderScreen(<LayersTab image={image} platforms={['linux/amd64']} />, api);
    const rows = await screen.findAllByTestId('layer-row');
    expect(rows).toHaveLength(3);
    expect(rows[0]!.textContent).toContain('COPY rootfs /');
    expect(rows[0]!.textContent).toContain('1 warning');
    expect(within(rows[0]!).getByTestId('layer-wasted').textContent).toBe('2.10 KB');
    expect(rows[1]!.textContent).toContain('+0 ~1 −1');
    expect(within(rows[2]!).getByTestId('layer-foreign')).toBeTruthy();
    expect(screen.getByTestId('layers-summary').textContent).toContain('3 layers · 2.10 KB wasted in all');
    expect(screen.getByTestId('layers-warnings').textContent).toContain("../evil skipped: it leaves the image's root");
  });

  it("shows the chosen layer's changes, filtered by kind", async () => {
    const api = createFakeApi({ 'contents:layers': imageLayers() });
    renderScreen(<LayersTab image={image} platforms={['linux/amd64']} />, api);
    await waitFor(() => expect(changes()).toEqual(['added bin', 'added bin/sh', 'added etc/motd', 'added tmp/cache/big']));
    fireEvent.click(screen.getAllByTestId('layer-row')[1]!);
    await waitFor(() => expect(changes()).toEqual(['modified etc/motd', 'deleted tmp/cache']));
    fireEvent.click(screen.getByText('Deleted 1'));
    await waitFor(() => expect(changes()).toEqual(['deleted tmp/cache']));
    fireEvent.click(screen.getAllByTestId('layer-row')[2]!);
    expect((await screen.findByTestId('layer-foreign-note')).textContent).toContain('never fetched');
  });

  it('asks for the platform chosen and shows errors in words', async () => {
    const api = createFakeApi({ 'contents:layers': { error: { code: 'LAYER_UNREADABLE', message: 'layer sha256:abc: gzip data is truncated' } } });
    renderScreen(<LayersTab image={image} platforms={['linux/arm64', 'linux/amd64']} />, api);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('A layer cannot be read');
    expect(alert.textContent).toContain('truncated');
    expect(api.calls.find((c) => c.channel === 'contents:layers')?.args).toEqual({ ...image, platform: 'linux/arm64' });
  });
});
