/**
 * Archives from the desktop window (issue 20). The window names no file of its own accord:
 * - an export (`archive:export`) is written where the user chooses in a save dialog the main
 *   process shows; an `out` the window sends is dropped;
 * - an import (`archive:import`) takes the path of a file the user dropped on the window (the
 *   preload's webUtils.getPathForFile), and only a regular file: the path is resolved and checked
 *   here, and only `path`, `to` and `operationId` go on;
 * - a copy (`transfer:copy`) from the window is between registries only.
 * Electron's dialog is passed in, so this runs under Node in tests.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Envelope, InvokeArgs } from '../src-server/contract';

/** What the archive calls need: the dialog, where it opens, and the registry process's invoke. */
export interface ArchiveCallDeps {
  dialog: {
    showSaveDialog(opts: { title: string; defaultPath: string; buttonLabel?: string; filters?: { name: string; extensions: string[] }[] }): Promise<{ canceled: boolean; filePath?: string }>;
  };
  downloadsDir: string;
  invoke(channel: 'archive:export' | 'archive:import', payload: InvokeArgs<'archive:export'> | InvokeArgs<'archive:import'>): Promise<Envelope<unknown>>;
}

const record = (payload: unknown): Record<string, unknown> => (typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {});

/** The file name a save dialog suggests: `<repo>-<tag>.tar` for one image, `images.tar` for several. */
export function suggestedArchiveName(images: unknown): string {
  const list = Array.isArray(images) ? images : [];
  const only = list.length === 1 ? record(list[0]) : null;
  if (!only || typeof only.repository !== 'string') return 'images.tar';
  const ref = typeof only.reference === 'string' && !only.reference.includes(':') ? only.reference : 'latest';
  return `${only.repository}-${ref}.tar`.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '') || 'images.tar';
}

/** Asks where, then exports there; a cancelled dialog answers CANCELLED and writes nothing. */
export async function exportFromWindow(deps: ArchiveCallDeps, payload: unknown): Promise<Envelope<unknown>> {
  const { out: _ignored, ...args } = record(payload);
  const choice = await deps.dialog.showSaveDialog({
    title: 'Export images as an archive',
    defaultPath: join(deps.downloadsDir, suggestedArchiveName(args.images)),
    buttonLabel: 'Export',
    filters: [{ name: 'Archive', extensions: ['tar'] }],
  });
  if (choice.canceled || !choice.filePath) return { ok: false, error: { code: 'CANCELLED', message: 'the export was cancelled: no file was chosen' } };
  // The registry process checks the rest of the payload as it checks any call.
  return deps.invoke('archive:export', { ...(args as unknown as InvokeArgs<'archive:export'>), out: choice.filePath });
}

/** Imports a dropped file: a regular file only (a link is followed to one), and nothing but path, `to` and operationId. */
export async function importFromWindow(deps: ArchiveCallDeps, payload: unknown): Promise<Envelope<unknown>> {
  const raw = record(payload);
  const path = raw.path;
  if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0')) {
    return { ok: false, error: { code: 'ARGS_INVALID', message: 'drop an archive file on the window to import it' } };
  }
  let real: string;
  try {
    real = await realpath(path);
    if (!(await stat(real)).isFile()) return { ok: false, error: { code: 'ARCHIVE_INVALID', message: `${path} is not a file: drop an OCI or docker archive (.tar)` } };
  } catch (err) {
    return { ok: false, error: { code: 'ARCHIVE_INVALID', message: `${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` } };
  }
  const args: InvokeArgs<'archive:import'> = { path: real };
  if (typeof raw.to === 'string' && raw.to !== '') args.to = raw.to;
  if (typeof raw.operationId === 'string') args.operationId = raw.operationId;
  return deps.invoke('archive:import', args);
}

/** A copy the window may not ask for: one naming a file or a host (the window copies between registries only). */
export function windowCopyRefusal(payload: unknown): Envelope<unknown> | null {
  const p = record(payload);
  const outside = (place: unknown) => record(place).transport !== 'registry';
  if (!outside(p.from) && !outside(p.to)) return null;
  return { ok: false, error: { code: 'DENIED', message: 'the window copies between registries only: files and hosts are named from the berth CLI' } };
}
