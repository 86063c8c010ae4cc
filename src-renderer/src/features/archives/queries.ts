/**
 * Archives from the GUI: exporting local tags as one OCI or docker archive, and importing an archive
 * dropped on the window. In a browser the export is a download link and the import an upload (the
 * server never names a file of its machine for a browser); in the desktop app the main process asks
 * where to save in a dialog, and a dropped file goes by its path. Imported images show up in the
 * browse listings, which are read again.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { ArchiveExportArgs, ArchiveImportReport, TransferProgress } from '../../../../src-server/contract';
import { ApiCallError } from '../../api/app-api';
import { useApi } from '../../api/context';
import { browseKeys } from '../browse/queries';

/** An export of local images (`REPO:TAG`). */
export interface ExportRequest {
  images: string[];
  format: 'oci' | 'docker';
  platform?: string;
  operationId?: string;
}

/** `REPO:TAG` (or `REPO@DIGEST`) as a place of the local registry. */
function placeOf(image: string) {
  const at = image.indexOf('@');
  const cut = at >= 0 ? at : image.lastIndexOf(':');
  return { transport: 'registry' as const, connection: 'local', repository: image.slice(0, cut), reference: image.slice(cut + 1) };
}

/**
 * The desktop's export: the window names no file; the main process asks where in a save dialog and
 * fills in `out`. A cancelled dialog answers CANCELLED.
 */
export function useDesktopExport() {
  const api = useApi();
  return useMutation({
    mutationFn: (r: ExportRequest) => {
      const args = {
        images: r.images.map(placeOf),
        format: r.format,
        ...(r.platform ? { platforms: [r.platform] } : r.format === 'oci' ? { platforms: 'all' as const } : {}),
        ...(r.operationId ? { operationId: r.operationId } : {}),
      };
      // `out` is the main process's to choose (src-main/archive-save.ts).
      return api.invoke('archive:export', args as Omit<ArchiveExportArgs, 'out'> as ArchiveExportArgs);
    },
  });
}

/** An import of one file. */
export interface ImportRequest {
  file: File;
  to?: string;
  operationId: string;
  signal: AbortSignal;
  onSent?(bytes: number): void;
}

/** Imports a dropped archive: uploaded in a browser, by its path in the desktop app. */
export function useImportArchive() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (r: ImportRequest): Promise<ArchiveImportReport> => {
      const to = r.to?.trim() || undefined;
      if (api.uploadArchive) return api.uploadArchive(r.file, { to, operationId: r.operationId, signal: r.signal, onSent: r.onSent });
      const path = api.pathForFile?.(r.file) ?? null;
      if (!path) throw new ApiCallError('archive:import', { code: 'UNSUPPORTED', message: `${r.file.name} has no path on this computer: drop a file from a folder` });
      return api.invoke('archive:import', { path, ...(to ? { to } : {}), operationId: r.operationId });
    },
    onSettled: () => void client.invalidateQueries({ queryKey: browseKeys.all }),
  });
}

/** The newest `transfer:progress` of `operationId` (null before the first, or without an id). */
export function useTransferProgress(operationId: string | null): TransferProgress | null {
  const api = useApi();
  const [progress, setProgress] = useState<TransferProgress | null>(null);
  useEffect(() => {
    setProgress(null);
    if (!operationId) return;
    return api.on('transfer:progress', (p) => {
      if (p.operationId === operationId) setProgress(p);
    });
  }, [api, operationId]);
  return progress;
}
