import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { notifications } from '@mantine/notifications';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ArchiveImportReport, TagSummary } from '../../../../../src-server/contract';
import { ApiCallError, type ArchiveDownload, type ArchiveUpload } from '../../../api/app-api';
import { createFakeApi, type FakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { ArchiveDropTarget } from './ArchiveDropTarget';
import { ExportArchiveModal, platformsOf } from './ExportArchiveModal';

const D1 = `sha256:${'a'.repeat(64)}`;
const tag = (name: string, platforms: string[]): TagSummary => ({ name, digest: D1, mediaType: 'application/vnd.oci.image.index.v1+json', platforms, size: 1000, created: null, origin: { source: 'pushed', upstream: null, at: null } });
const tags = [tag('v1', ['linux/arm64', 'linux/amd64']), tag('v2', ['linux/amd64'])];

const calls = (api: FakeApi, channel: string) => api.calls.filter((c) => c.channel === channel).map((c) => c.args);

/** A fake API of the browser: its download links and uploads recorded. */
function browserApi(upload?: (file: File, opts: ArchiveUpload) => Promise<ArchiveImportReport>) {
  const api = createFakeApi({ 'transfer:cancel': { cancelled: true } });
  const links: ArchiveDownload[] = [];
  api.archiveExportUrl = (args) => {
    links.push(args);
    return `/_berth/api/archive/export?images=${args.images.length}`;
  };
  if (upload) api.uploadArchive = upload;
  return { api, links };
}

/** A fake API of the desktop app: dropped files have paths, exports go through archive:export. */
function desktopApi(answers: Parameters<typeof createFakeApi>[0] = {}) {
  const api = createFakeApi({ 'transfer:cancel': { cancelled: true }, ...answers });
  Object.assign(api, { transport: 'ipc' });
  api.pathForFile = (f) => (f.name === 'nopath.tar' ? null : `/home/u/Downloads/${f.name}`);
  return api;
}

const report: ArchiveImportReport = {
  format: 'docker',
  images: [
    { name: 'team/app:v1', target: 'team/app:v1', digest: D1, ok: true },
    { name: 'secret/db:v2', target: null, digest: null, ok: false, error: { code: 'DENIED', message: 'secret/db:v2: reader may not push to secret/db' } },
  ],
  imported: 1,
  failed: 1,
  durationMs: 40,
};

function drop(files: File[]) {
  const dataTransfer = { types: ['Files'], files, dropEffect: 'none' };
  const event = (type: string) => Object.assign(new Event(type, { bubbles: true, cancelable: true }), { dataTransfer });
  window.dispatchEvent(event('dragenter'));
  window.dispatchEvent(event('dragover'));
  return { finish: () => window.dispatchEvent(event('drop')) };
}

afterEach(() => {
  notifications.clean();
  vi.restoreAllMocks();
});

describe('Export selected tags…', () => {
  it('offers the platforms of the selected images, linux/amd64 first', () => {
    expect(platformsOf(tags)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('in a browser, downloads an OCI archive of every selected tag, or a docker one for the chosen platform', async () => {
    const clicks: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this.getAttribute('href') ?? '');
    });
    const { api, links } = browserApi();
    renderScreen(<ExportArchiveModal repository="team/app" tags={tags} onClose={() => {}} />, api);
    expect((await screen.findByTestId('export-images')).textContent).toBe('team/app:v1, team/app:v2');
    fireEvent.click(screen.getByTestId('export-start'));
    await waitFor(() => expect(clicks).toEqual(['/_berth/api/archive/export?images=2']));
    expect(links[0]).toMatchObject({ images: ['team/app:v1', 'team/app:v2'], format: 'oci' });
    expect(links[0]!.platform).toBeUndefined();
    const started = await screen.findByTestId('export-started');
    expect(started.textContent).toContain('images.tar');
    // The server's progress for this download, and only this one.
    api.emit('transfer:progress', { operationId: links[0]!.operationId!, image: 'team/app:v2', imagesDone: 1, imagesTotal: 2, bytesDone: 500, bytesTotal: 1000, bytesPerSecond: null });
    await waitFor(() => expect(screen.getByTestId('transfer-progress-text').textContent).toBe('1 of 2 images · 500 B of 1.00 KB'));
  });

  it('asks for a docker archive with the platform chosen', async () => {
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const { api, links } = browserApi();
    renderScreen(<ExportArchiveModal repository="team/app" tags={[tags[0]!]} onClose={() => {}} />, api);
    fireEvent.click(await screen.findByTestId('export-format-docker'));
    expect(((await screen.findByTestId('export-platform')) as HTMLInputElement).value).toBe('linux/amd64');
    fireEvent.click(screen.getByTestId('export-start'));
    await waitFor(() => expect(links).toHaveLength(1));
    expect(links[0]).toMatchObject({ images: ['team/app:v1'], format: 'docker', platform: 'linux/amd64' });
    expect((await screen.findByTestId('export-started')).textContent).toContain('team_app-v1.tar');
  });

  it('in the desktop app, sends archive:export without a file (the main process asks where) and shows what was written', async () => {
    const api = desktopApi({
      'archive:export': { path: '/home/u/Downloads/team_app-v1.tar', format: 'oci', images: [{ name: 'team/app:v1', digest: D1, referrers: 1 }], bytes: 2_000_000, leftOut: 0, durationMs: 30 },
    });
    renderScreen(<ExportArchiveModal repository="team/app" tags={[tags[0]!]} onClose={() => {}} />, api);
    fireEvent.click(await screen.findByTestId('export-start'));
    const done = await screen.findByTestId('export-report');
    const args = calls(api, 'archive:export')[0] as Record<string, unknown>;
    expect(args).toMatchObject({ images: [{ transport: 'registry', connection: 'local', repository: 'team/app', reference: 'v1' }], format: 'oci', platforms: 'all' });
    expect('out' in args).toBe(false);
    expect(done.textContent).toContain('/home/u/Downloads/team_app-v1.tar · 2.00 MB');
    expect(done.textContent).toContain('sha256:aaaaaaaaaaaa');
  });

  it('says nothing of a cancelled save dialog, and a refusal in words', async () => {
    const api = desktopApi({ 'archive:export': { error: { code: 'CANCELLED', message: 'no file was chosen' } } });
    renderScreen(<ExportArchiveModal repository="team/app" tags={[tags[0]!]} onClose={() => {}} />, api);
    fireEvent.click(await screen.findByTestId('export-start'));
    await waitFor(() => expect(calls(api, 'archive:export')).toHaveLength(1));
    await waitFor(() => expect(screen.getByTestId('export-start').hasAttribute('data-loading')).toBe(false));
    expect(screen.queryByRole('alert')).toBeNull();
    api.answer('archive:export', { error: { code: 'DENIED', message: 'reader may not read team/app' } });
    fireEvent.click(screen.getByTestId('export-start'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The export failed');
    expect(alert.textContent).toContain('reader may not read team/app');
  });
});

describe('import by dropping a .tar', () => {
  it('shows the overlay while a file is dragged, then the dialog with the file; uploads it into the repository given and shows the report per image', async () => {
    const uploads: Array<{ name: string; opts: ArchiveUpload }> = [];
    const { api } = browserApi(async (file, opts) => {
      uploads.push({ name: file.name, opts });
      opts.onSent?.(file.size);
      return report;
    });
    renderScreen(<ArchiveDropTarget />, api);
    const file = new File([new Uint8Array(3000)], 'images.tar', { type: 'application/x-tar' });
    const d = drop([file]);
    expect((await screen.findByTestId('archive-drop-overlay')).textContent).toContain('Drop an OCI or docker archive to import it into the local registry');
    d.finish();
    await waitFor(() => expect(screen.queryByTestId('archive-drop-overlay')).toBeNull());
    expect((await screen.findByTestId('import-file')).textContent).toBe('images.tar · 3.00 KB');
    fireEvent.change(screen.getByTestId('import-to'), { target: { value: ' team/app ' } });
    fireEvent.click(screen.getByTestId('import-start'));
    const rows = await screen.findAllByTestId('import-image');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.opts.to).toBe('team/app');
    expect(uploads[0]!.opts.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(screen.getByTestId('import-summary').textContent).toContain('1 imported, 1 failed, from a docker archive');
    expect(within(rows[0]!).getByTestId('import-target').textContent).toBe('team/app:v1');
    expect(within(rows[1]!).getByTestId('import-error').textContent).toBe('failed: secret/db:v2: reader may not push to secret/db');
  });

  it('cancels an upload by aborting it, and says so', async () => {
    const { api } = browserApi(
      (_file, opts) =>
        new Promise((_resolve, reject) => {
          opts.signal?.addEventListener('abort', () => reject(new ApiCallError('archive:import', { code: 'CANCELLED', message: 'the import was cancelled' })));
        }),
    );
    renderScreen(<ArchiveDropTarget />, api);
    drop([new File([new Uint8Array(10)], 'a.tar')]).finish();
    fireEvent.click(await screen.findByTestId('import-start'));
    fireEvent.click(await screen.findByTestId('import-cancel'));
    expect((await screen.findByTestId('import-cancelled')).textContent).toContain('The import was stopped');
  });

  it("shows the server's refusal of an archive in words", async () => {
    const { api } = browserApi(async () => {
      throw new ApiCallError('archive:import', { code: 'ARCHIVE_INVALID', message: 'a.tar: neither an OCI archive (no index.json) nor a docker archive (no manifest.json)' });
    });
    renderScreen(<ArchiveDropTarget />, api);
    drop([new File([new Uint8Array(10)], 'a.tar')]).finish();
    fireEvent.click(await screen.findByTestId('import-start'));
    const alert = await within(await screen.findByTestId('import-form')).findByRole('alert');
    expect(alert.textContent).toContain('The import failed');
    expect(alert.textContent).toContain('neither an OCI archive');
  });

  it('in the desktop app, imports the dropped file by its path and cancels by operation id', async () => {
    const api = desktopApi({ 'archive:import': { pending: true } });
    renderScreen(<ArchiveDropTarget />, api);
    drop([new File([new Uint8Array(10)], 'b.tar')]).finish();
    fireEvent.click(await screen.findByTestId('import-start'));
    await waitFor(() => expect(calls(api, 'archive:import')).toHaveLength(1));
    const args = calls(api, 'archive:import')[0] as { path: string; operationId: string };
    expect(args).toMatchObject({ path: '/home/u/Downloads/b.tar' });
    fireEvent.click(await screen.findByTestId('import-cancel'));
    await waitFor(() => expect(calls(api, 'transfer:cancel')).toEqual([{ operationId: args.operationId }]));
  });

  it('refuses a dropped file without a path in the desktop app, and several files at once', async () => {
    const api = desktopApi();
    renderScreen(<ArchiveDropTarget />, api);
    drop([new File([new Uint8Array(10)], 'one.tar'), new File([new Uint8Array(10)], 'two.tar')]).finish();
    expect(await screen.findByText('One archive at a time')).toBeTruthy();
    expect(screen.queryByTestId('import-form')).toBeNull();
    drop([new File([new Uint8Array(10)], 'nopath.tar')]).finish();
    fireEvent.click(await screen.findByTestId('import-start'));
    expect((await within(await screen.findByTestId('import-form')).findByRole('alert')).textContent).toContain('nopath.tar has no path on this computer');
    expect(calls(api, 'archive:import')).toEqual([]);
  });
});
