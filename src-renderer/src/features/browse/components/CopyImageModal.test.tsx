import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CopyArgs, CopyPreview, CopyProgress, CopyReport } from '../../../../../src-server/contract';
import { createFakeApi, type FakeAnswer } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { connections, multiArchImage } from './ImageScreen.fixtures';
import { ImageScreen } from './ImageScreen';

const props = { connection: 'local', repository: 'team/app', reference: '1.0' };
const hex = (c: string) => `sha256:${c.repeat(64)}`;
const report: CopyReport = { digest: hex('d'), target: 'team/app:1.0-copy', manifests: 3, blobsCopied: 3, blobsMounted: 1, blobsSkipped: 0, bytesCopied: 6_000_000, durationMs: 2500 };
const fresh: CopyPreview = {
  source: { digest: hex('d'), mediaType: 'application/vnd.oci.image.index.v1+json', kind: 'index', platforms: ['linux/amd64', 'linux/arm64/v8'] },
  destination: null,
  outcome: 'new',
  referrers: 1,
};
/** The target tag holds a 3-platform index; the copy would write one platform's image. */
const overwrite: CopyPreview = {
  source: { digest: hex('b'), mediaType: 'application/vnd.oci.image.manifest.v1+json', kind: 'image', platforms: ['linux/arm64/v8'] },
  destination: { digest: hex('9'), mediaType: 'application/vnd.oci.image.index.v1+json', kind: 'index', platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] },
  outcome: 'overwrite',
  referrers: 0,
};
const progress = (operationId: string, over: Partial<CopyProgress>): CopyProgress => ({
  operationId,
  phase: 'blobs',
  bytesDone: 0,
  bytesTotal: 6_000_000,
  blobsDone: 0,
  blobsTotal: 4,
  current: null,
  bytesPerSecond: null,
  etaSeconds: null,
  ...over,
});

async function openCopy(answers: { preview?: FakeAnswer<'image:copy-preview'>; copy?: FakeAnswer<'image:copy'> } = {}) {
  const api = createFakeApi({ 'browse:image': multiArchImage(), 'connections:list': connections, 'image:copy-cancel': { cancelled: true } });
  api.answer('image:copy-preview', answers.preview ?? fresh);
  if (answers.copy !== undefined) api.answer('image:copy', answers.copy);
  renderScreen(<ImageScreen {...props} />, api);
  fireEvent.click(await screen.findByTestId('image-copy-open'));
  const dialog = await screen.findByRole('dialog');
  await waitFor(() => expect((within(dialog).getByLabelText('Target connection') as HTMLInputElement).value).toBe('Team registry'));
  return { api, dialog };
}

/** A copy answer the test finishes (or fails) when it wants. */
function pendingCopy() {
  const control: { finish: (r: CopyReport) => void; fail: (e: unknown) => void } = { finish: () => {}, fail: () => {} };
  const answer = (() =>
    new Promise((resolve, reject) => {
      control.finish = resolve;
      control.fail = reject;
    })) as never;
  return { answer, control };
}

const copyCalls = (api: ReturnType<typeof createFakeApi>) => api.calls.filter((c) => c.channel === 'image:copy').map((c) => c.args as CopyArgs);

describe('copying an image', () => {
  it('copies to the other connection with progress events, then shows the report', async () => {
    const pending = pendingCopy();
    const { api, dialog } = await openCopy({ copy: pending.answer });
    expect((within(dialog).getByTestId('copy-target-repository') as HTMLInputElement).value).toBe('team/app');
    expect((within(dialog).getByTestId('copy-target-tag') as HTMLInputElement).value).toBe('1.0');
    fireEvent.change(within(dialog).getByTestId('copy-target-tag'), { target: { value: '1.0-copy' } });
    fireEvent.click(within(dialog).getByTestId('copy-start'));

    await waitFor(() => expect(copyCalls(api)).toHaveLength(1));
    // First the preview, with the same target.
    expect(api.calls.find((c) => c.channel === 'image:copy-preview')!.args).toEqual({
      from: { connection: 'local', repository: 'team/app', reference: '1.0' },
      to: { connection: 'team', repository: 'team/app', reference: '1.0-copy' },
    });
    const args = copyCalls(api)[0]!;
    // A new tag: the copy insists that it still does not exist.
    expect(args).toEqual({
      from: { connection: 'local', repository: 'team/app', reference: '1.0' },
      to: { connection: 'team', repository: 'team/app', reference: '1.0-copy' },
      operationId: expect.any(String),
      expectDestination: null,
    });
    const operationId = args.operationId!;

    // Another copy's events are ignored.
    api.emit('copy:progress', progress('someone-else', { bytesDone: 9, bytesTotal: 10 }));
    api.emit('copy:progress', progress(operationId, { bytesDone: 1_500_000, blobsDone: 1, current: hex('1') }));
    const bar = await screen.findByRole('progressbar', { name: 'Copy progress' });
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('25'));
    expect(screen.getByTestId('copy-progress-text').textContent).toContain('Copying blobs: 1.50 MB of 6.00 MB, 1 of 4 blobs');

    pending.control.finish(report);
    const result = await screen.findByTestId('copy-result');
    expect(result.textContent).toContain('3 blobs copied, 1 mounted, 0 already there; 6.00 MB transferred');
    expect(result.textContent).toContain('2.5 s');
    expect(within(result).getByText('team/app:1.0-copy').getAttribute('href')).toBe('#/browse/team/team%2Fapp/1.0-copy');
  });

  it('shows the rate and the time left only once the server has measured a rate', async () => {
    const pending = pendingCopy();
    const { api, dialog } = await openCopy({ copy: pending.answer });
    fireEvent.click(within(dialog).getByTestId('copy-start'));
    await waitFor(() => expect(copyCalls(api)).toHaveLength(1));
    const op = copyCalls(api)[0]!.operationId!;
    api.emit('copy:progress', progress(op, { bytesDone: 500_000 }));
    await waitFor(() => expect(screen.getByTestId('copy-progress-text').textContent).toContain('500.0 KB of 6.00 MB'));
    expect(screen.queryByTestId('copy-rate')).toBeNull();
    expect(screen.getByTestId('copy-progress').textContent).not.toMatch(/left|\/s/);
    api.emit('copy:progress', progress(op, { bytesDone: 1_230_000, bytesPerSecond: 12_300_000, etaSeconds: 40 }));
    expect((await screen.findByTestId('copy-rate')).textContent).toBe('12.3 MB/s · about 40 s left');
    api.emit('copy:progress', progress(op, { bytesDone: 1_230_000, bytesPerSecond: 0, etaSeconds: null }));
    await waitFor(() => expect(screen.getByTestId('copy-rate').textContent).toBe('nothing moved for a few seconds'));
    pending.control.finish(report);
    await screen.findByTestId('copy-result');
  });

  it('warns before overwriting, with both digests and what each is, and copies only once confirmed', async () => {
    const { api, dialog } = await openCopy({ preview: overwrite, copy: { ...report, digest: hex('b'), target: 'team/app:1.0', replaced: hex('9') } });
    fireEvent.click(within(dialog).getByText('Pick platforms'));
    fireEvent.click(within(dialog).getByLabelText('Platforms'));
    fireEvent.click(await screen.findByRole('option', { name: 'linux/arm64/v8' }));
    await waitFor(() => expect((within(dialog).getByTestId('copy-start') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(within(dialog).getByTestId('copy-start'));

    const warning = await within(dialog).findByTestId('copy-overwrite-warning');
    expect(warning.textContent).toContain('team/app:1.0 on Team registry holds another image');
    expect(within(warning).getByTestId('copy-overwrite-current').textContent).toContain(hex('9'));
    expect(within(warning).getByTestId('copy-overwrite-current').textContent).toContain('an index of 3 platforms (linux/amd64, linux/arm64, linux/arm/v7)');
    expect(within(warning).getByTestId('copy-overwrite-new').textContent).toContain(hex('b'));
    expect(within(warning).getByTestId('copy-overwrite-new').textContent).toContain('a single image (linux/arm64/v8)');
    expect(copyCalls(api)).toEqual([]);

    fireEvent.click(within(dialog).getByTestId('copy-confirm-overwrite'));
    await waitFor(() => expect(copyCalls(api)).toHaveLength(1));
    expect(copyCalls(api)[0]).toMatchObject({ platforms: ['linux/arm64/v8'], expectDestination: hex('9') });
    const result = await screen.findByTestId('copy-result');
    expect(result.textContent).toContain(`replaced ${hex('9').slice(0, 19)}`);
  });

  it('going back from the warning copies nothing', async () => {
    const { api, dialog } = await openCopy({ preview: overwrite });
    fireEvent.click(within(dialog).getByTestId('copy-start'));
    await within(dialog).findByTestId('copy-overwrite-warning');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Back' }));
    await waitFor(() => expect(within(dialog).queryByTestId('copy-overwrite-warning')).toBeNull());
    expect(copyCalls(api)).toEqual([]);
    expect((within(dialog).getByTestId('copy-target-tag') as HTMLInputElement).disabled).toBe(false);
  });

  it('says so when the tag changed after the warning', async () => {
    const { dialog } = await openCopy({
      preview: overwrite,
      copy: { error: { code: 'DESTINATION_CHANGED', message: `team/app:1.0 on team held ${hex('9')} when the copy was confirmed and now holds ${hex('7')}: nothing was written` } },
    });
    fireEvent.click(within(dialog).getByTestId('copy-start'));
    fireEvent.click(await within(dialog).findByTestId('copy-confirm-overwrite'));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('The tag changed meanwhile');
    expect(alert.textContent).toContain('nothing was written');
  });

  it('Cancel works while the copy runs: it stops the copy by its operation id and says what happened', async () => {
    const pending = pendingCopy();
    const { api, dialog } = await openCopy({ copy: pending.answer });
    fireEvent.click(within(dialog).getByTestId('copy-start'));
    await waitFor(() => expect(copyCalls(api)).toHaveLength(1));
    const op = copyCalls(api)[0]!.operationId!;
    const cancel = within(dialog).getByRole('button', { name: 'Cancel copy' }) as HTMLButtonElement;
    expect(cancel.disabled).toBe(false);
    fireEvent.click(cancel);
    await waitFor(() => expect(api.calls.find((c) => c.channel === 'image:copy-cancel')?.args).toEqual({ operationId: op }));
    await waitFor(() => expect(within(dialog).getByRole('button', { name: 'Stopping…' })).toBeTruthy());
    const { ApiCallError } = await import('../../../api/app-api');
    pending.control.fail(
      new ApiCallError('image:copy', {
        code: 'CANCELLED',
        message: 'the copy to team/app:1.0 was cancelled before the tag was written: team/app:1.0 is as it was; 1 blob (1000 bytes streamed) already copied stay in team/app',
      }),
    );
    const stopped = await within(dialog).findByTestId('copy-cancelled');
    expect(stopped.textContent).toContain('Copy cancelled');
    expect(stopped.textContent).toContain('team/app:1.0 is as it was');
    expect(within(dialog).queryByTestId('copy-result')).toBeNull();
    // The footer's Close and the dialog's own close button.
    const closers = within(dialog).getAllByRole('button', { name: 'Close' }) as HTMLButtonElement[];
    expect(closers).toHaveLength(2);
    for (const b of closers) expect(b.disabled).toBe(false);
  });

  it('asks for the referrers when told to', async () => {
    const { api, dialog } = await openCopy({ copy: { ...report, referrers: { found: 1, copied: 1, leftOut: 0, fallbackTags: 0 } } });
    fireEvent.click(within(dialog).getByTestId('copy-referrers'));
    fireEvent.click(within(dialog).getByTestId('copy-start'));
    await waitFor(() => expect(copyCalls(api)).toHaveLength(1));
    expect(copyCalls(api)[0]).toMatchObject({ referrers: true });
    expect((await screen.findByTestId('copy-result')).textContent).toContain('1 referrer copied');
  });

  it('shows a failed copy in words', async () => {
    const { dialog } = await openCopy({ copy: { error: { code: 'DENIED', message: 'push to team/app is not allowed' } } });
    fireEvent.click(within(dialog).getByTestId('copy-start'));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('The copy failed');
    expect(alert.textContent).toContain('push to team/app is not allowed');
  });

  it('shows a failed preview in words, and copies nothing', async () => {
    const { api, dialog } = await openCopy({ preview: { error: { code: 'UNREACHABLE', message: 'connect ECONNREFUSED 10.0.0.1:443' } } });
    fireEvent.click(within(dialog).getByTestId('copy-start'));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('Cannot reach the registry');
    expect(copyCalls(api)).toEqual([]);
  });
});
