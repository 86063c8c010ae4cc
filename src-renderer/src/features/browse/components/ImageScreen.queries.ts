/**
 * The image screen's own data: copying an image to another connection (its preview, the copy, its
 * progress events and cancelling it) and opening a referrer; the image's details come from the
 * browse feature's shared `useImage`.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CopyArgs, CopyPreviewArgs, CopyProgress } from '../../../../../src-server/contract';
import { useApi } from '../../../api/context';

/** Copies an image; on success the target's cached listings are refetched. */
export function useCopyImage() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: CopyArgs) => api.invoke('image:copy', args),
    onSettled: () => client.invalidateQueries({ queryKey: ['browse'] }),
  });
}

/** What a copy would write and what the target tag holds now (`image:copy-preview`). */
export function useCopyPreview() {
  const api = useApi();
  return useMutation({ mutationFn: (args: CopyPreviewArgs) => api.invoke('image:copy-preview', args) });
}

/** Stops a running copy by its operation id (`image:copy-cancel`). */
export function useCancelCopy() {
  const api = useApi();
  return useMutation({ mutationFn: (operationId: string) => api.invoke('image:copy-cancel', { operationId }) });
}

/** A referrer's manifest and content (`browse:referrer`), once `digest` is chosen. Content by digest never changes. */
export function useReferrer(connection: string, repository: string, digest: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['browse', 'referrer', connection, repository, digest],
    queryFn: () => api.invoke('browse:referrer', { connection, repository, digest: digest! }),
    enabled: digest !== null,
    staleTime: Infinity,
  });
}

/**
 * The latest `copy:progress` event of the operation being tracked. The subscription lives as long as
 * the component, so no event is lost between choosing an operation id and the call going out.
 */
export function useCopyProgress() {
  const api = useApi();
  const tracked = useRef<string | null>(null);
  const [progress, setProgress] = useState<CopyProgress | null>(null);
  useEffect(
    () =>
      api.on('copy:progress', (p) => {
        if (tracked.current !== null && p.operationId === tracked.current) setProgress(p);
      }),
    [api],
  );
  const track = useCallback((operationId: string | null) => {
    tracked.current = operationId;
    setProgress(null);
  }, []);
  return { progress, track };
}

/** A fresh operation id (crypto.randomUUID needs a secure context; a plain-HTTP page falls back). */
export function newOperationId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') {
    try {
      return c.randomUUID();
    } catch {
      // Not a secure context: fall through.
    }
  }
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `copy-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
