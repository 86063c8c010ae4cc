import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { connections, multiArchImage } from '../../browse/components/ImageScreen.fixtures';
import { ImageScreen } from '../../browse/components/ImageScreen';
import { imageFiles, imageLayers } from '../fixtures';
import { withLayoutSize } from '../layout-for-tests';

withLayoutSize();

const props = { connection: 'local', repository: 'team/app', reference: '1.0' };

describe('the image screen views', () => {
  it('keeps the overview first and reads contents only when Files or Layers is opened, per platform', async () => {
    const api = createFakeApi({ 'browse:image': multiArchImage(), 'connections:list': connections, 'contents:files': imageFiles(), 'contents:layers': imageLayers() });
    renderScreen(<ImageScreen {...props} />, api);
    expect(await screen.findByRole('tablist', { name: 'Platforms' })).toBeTruthy();
    expect(api.calls.some((c) => c.channel.startsWith('contents:'))).toBe(false);
    fireEvent.click(screen.getByTestId('image-tab-files'));
    await screen.findByTestId('files-tree');
    expect(api.calls.find((c) => c.channel === 'contents:files')?.args).toEqual({ ...props, platform: 'linux/amd64' });
    expect(screen.queryByRole('tablist', { name: 'Platforms' })).toBeNull();
    fireEvent.click(screen.getByTestId('image-tab-layers'));
    await screen.findByTestId('layers-table');
    expect(api.calls.find((c) => c.channel === 'contents:layers')?.args).toEqual({ ...props, platform: 'linux/amd64' });
    fireEvent.click(screen.getByTestId('image-tab-overview'));
    await waitFor(() => expect(screen.getByRole('tablist', { name: 'Platforms' })).toBeTruthy());
  });
});
