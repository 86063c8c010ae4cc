import { notifications } from '@mantine/notifications';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../../../../../src-server/contract';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { imageFiles } from '../fixtures';
import { withLayoutSize } from '../layout-for-tests';
import { FilesTab } from './FilesTab';

withLayoutSize();

const image = { connection: 'local', repository: 'team/app', reference: 'v2' };
const rowPaths = () => screen.queryAllByTestId('file-row').map((r) => r.getAttribute('data-path'));

describe('FilesTab', () => {
  it('lists the top level, opens folders, and shows sizes, modes and layers as the server says', async () => {
    const api = createFakeApi({ 'contents:files': imageFiles() });
    renderScreen(<FilesTab image={image} platforms={['linux/amd64']} />, api);
    await waitFor(() => expect(rowPaths()).toEqual(['bin', 'etc', 'usr']));
    // A single image: no platform is sent (the server reads the only one).
    expect(api.calls.find((c) => c.channel === 'contents:files')?.args).toEqual(image);
    expect(screen.getByTestId('files-summary').textContent).toContain('7 entries · 6.90 KB of files · 2 layers · 2.10 KB wasted (1 deleted, 1 overwritten)');
    fireEvent.click(screen.getByLabelText('Open bin'));
    await waitFor(() => expect(rowPaths()).toEqual(['bin', 'bin/sh', 'bin/sh.link', 'etc', 'usr']));
    const sh = screen.getAllByTestId('file-row')[1]!;
    expect(sh.textContent).toContain('1.20 KB');
    expect(sh.textContent).toContain('-rwxr-xr-x');
    expect(within(sh).getByTestId('file-layer').textContent).toBe('#0');
    expect(screen.getAllByTestId('file-row')[2]!.textContent).toContain('→ sh');
    fireEvent.click(screen.getByLabelText('Close bin'));
    await waitFor(() => expect(rowPaths()).toEqual(['bin', 'etc', 'usr']));
  });

  it('marks deleted and overwritten files when asked', async () => {
    const api = createFakeApi({ 'contents:files': imageFiles() });
    renderScreen(<FilesTab image={image} platforms={['linux/amd64']} />, api);
    await waitFor(() => expect(rowPaths()).toEqual(['bin', 'etc', 'usr']));
    fireEvent.click(screen.getByLabelText('Open etc'));
    await waitFor(() => expect(rowPaths()).toContain('etc/motd'));
    expect(screen.queryAllByTestId('hidden-badge')).toHaveLength(0);
    fireEvent.click(screen.getByTestId('files-show-hidden'));
    await waitFor(() => expect(screen.getAllByTestId('hidden-badge').map((b) => b.textContent)).toEqual(['overwritten by layer 1']));
    // The deleted folder appears only with the hidden files.
    expect(rowPaths()).toContain('tmp');
    fireEvent.click(screen.getByLabelText('Open tmp'));
    fireEvent.click(await screen.findByLabelText('Open tmp/cache'));
    await waitFor(() => expect(screen.getAllByTestId('hidden-badge').map((b) => b.textContent)).toEqual(['overwritten by layer 1', 'deleted by layer 1']));
    const deleted = screen.getAllByTestId('file-row').find((r) => r.getAttribute('data-hidden') === 'deleted')!;
    expect(deleted.getAttribute('data-path')).toBe('tmp/cache/big');
  });

  it('searches paths, opening the folders that lead to a match', async () => {
    const api = createFakeApi({ 'contents:files': imageFiles() });
    renderScreen(<FilesTab image={image} platforms={['linux/amd64']} />, api);
    await waitFor(() => expect(rowPaths()).toHaveLength(3));
    fireEvent.change(screen.getByTestId('files-search'), { target: { value: 'cert' } });
    await waitFor(() => expect(rowPaths()).toEqual(['etc', 'etc/ssl', 'etc/ssl/cert.pem']));
    fireEvent.change(screen.getByTestId('files-search'), { target: { value: 'nothing-like-it' } });
    expect((await screen.findByTestId('files-empty')).textContent).toContain('No path contains “nothing-like-it”');
  });

  it('previews a text file, says when one is binary, and links downloads', async () => {
    const api = createFakeApi({
      'contents:files': imageFiles(),
      'contents:preview': (args) => (args.path === 'etc/motd' ? { path: args.path, size: 3, text: 'v2\n', truncated: false } : { path: args.path, size: 5000, text: null, truncated: true }),
    });
    api.contentsDownloadUrl = (args) => `/dl?path=${encodeURIComponent(args.path)}&platform=${args.platform ?? ''}`;
    renderScreen(<FilesTab image={image} platforms={['linux/amd64']} />, api);
    fireEvent.click(await screen.findByLabelText('Open etc'));
    fireEvent.click(await screen.findByLabelText('Preview etc/motd'));
    expect((await screen.findByTestId('preview-text')).textContent).toBe('v2\n');
    expect(api.calls.filter((c) => c.channel === 'contents:preview').at(-1)?.args).toEqual({ ...image, path: 'etc/motd' });
    expect(screen.getByTestId('preview-download').getAttribute('href')).toBe('/dl?path=etc%2Fmotd&platform=');
    expect(screen.getByLabelText('Download etc as .tar').getAttribute('href')).toBe('/dl?path=etc&platform=');
    fireEvent.click(screen.getByLabelText('Open usr'));
    fireEvent.click(await screen.findByLabelText('Open usr/lib'));
    fireEvent.click(await screen.findByLabelText('Preview usr/lib/data.bin'));
    expect((await screen.findByTestId('preview-binary')).textContent).toContain('not a text file');
  });

  it('offers no download where the transport has none, and says so', async () => {
    const api = createFakeApi({ 'contents:files': imageFiles() });
    renderScreen(<FilesTab image={image} platforms={['linux/amd64']} />, api);
    expect((await screen.findByTestId('files-no-download')).textContent).toContain('browser GUI');
    // The fake transport is http without a link: neither a link nor a save.
    expect(screen.queryAllByTestId('file-download')).toHaveLength(0);
  });

  it('saves through the desktop dialog in the window (ipc), a folder suggested as .tar', async () => {
    const api = createFakeApi({ 'contents:files': imageFiles(), 'contents:save': (args) => ({ path: `/home/u/Downloads/${args.name}`, bytes: 3 }) });
    (api as { transport: string }).transport = 'ipc';
    renderScreen(<FilesTab image={image} platforms={['linux/amd64']} />, api);
    fireEvent.click(await screen.findByLabelText('Download etc as .tar'));
    await waitFor(() => expect(api.calls.filter((c) => c.channel === 'contents:save').map((c) => c.args)).toEqual([{ ...image, path: 'etc', name: 'etc.tar' }]));
    expect(await screen.findByText('Saved /home/u/Downloads/etc.tar')).toBeTruthy();
    expect(screen.queryByTestId('files-no-download')).toBeNull();
    // The notifications' store outlives the render: leave none to the next test.
    act(() => notifications.clean());
  });

  it('reads the first platform of a multi-arch image (attestations left out), and shows errors in words', async () => {
    const api = createFakeApi({ 'contents:files': { error: { code: 'PLATFORM_UNKNOWN', message: 'linux/s390x is not in the image; it has linux/amd64, linux/arm64' } } });
    renderScreen(<FilesTab image={image} platforms={['linux/amd64', 'linux/arm64', 'unknown/unknown']} />, api);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('No such platform in this image');
    expect(alert.textContent).toContain('linux/amd64, linux/arm64');
    expect(api.calls.find((c) => c.channel === 'contents:files')?.args).toEqual({ ...image, platform: 'linux/amd64' });
    expect((screen.getByTestId('files-platform') as HTMLInputElement).value).toBe('linux/amd64');
  });

  it('keeps 50,000 entries to the rows in view', async () => {
    const entries: FileEntry[] = [{ path: 'big', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, layer: 0 }];
    for (let i = 0; i < 50_000; i++) entries.push({ path: `big/f${String(i).padStart(5, '0')}`, type: 'file', size: 1, mode: 0o644, uid: 0, gid: 0, layer: 0 });
    const api = createFakeApi({ 'contents:files': imageFiles({ entries, hidden: [] }) });
    renderScreen(<FilesTab image={image} platforms={[]} />, api);
    fireEvent.click(await screen.findByLabelText('Open big'));
    await waitFor(() => expect(rowPaths()).toContain('big/f00001'));
    expect(rowPaths().length).toBeLessThan(100);
  });
});
