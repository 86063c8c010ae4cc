/**
 * Saving a file (or a folder, as a tar) of an image from the desktop window: the window has no
 * download link, so the main process asks where in a save dialog, then has the registry process
 * write it there (`contents:save` with `to`). The window never names the destination: a `to` it
 * sends is dropped. Electron's dialog is passed in, so this runs under Node in tests.
 */
import { basename, join } from 'node:path';
import type { Envelope, InvokeArgs } from '../src-server/contract';

/** What saving needs: the dialog, where it opens, and the registry process's invoke. */
export interface ContentsSaveDeps {
  /** Electron's save dialog (desktop.ts's SaveDialogApi fits). */
  dialog: { showSaveDialog(opts: { title: string; defaultPath: string; buttonLabel?: string }): Promise<{ canceled: boolean; filePath?: string }> };
  downloadsDir: string;
  invoke(channel: 'contents:save', payload: InvokeArgs<'contents:save'>): Promise<Envelope<unknown>>;
}

/** Asks where, then saves; a cancelled dialog answers `{path: null}` and writes nothing. */
export async function saveContents(deps: ContentsSaveDeps, payload: unknown): Promise<Envelope<unknown>> {
  const raw = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const { to: _ignored, ...args } = raw;
  const path = typeof args.path === 'string' ? args.path : '';
  const suggested = typeof args.name === 'string' && args.name ? basename(args.name) : basename(path) || 'download';
  const choice = await deps.dialog.showSaveDialog({ title: `Save ${path || 'from the image'}`, defaultPath: join(deps.downloadsDir, suggested), buttonLabel: 'Save' });
  if (choice.canceled || !choice.filePath) return { ok: true, result: { path: null, bytes: 0 } };
  // The registry process checks the rest of the payload as it checks any call.
  return deps.invoke('contents:save', { ...(args as unknown as InvokeArgs<'contents:save'>), to: choice.filePath });
}
