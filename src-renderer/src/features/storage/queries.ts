/**
 * The storage screen's data: usage of the local registry, garbage collection (preview and run, with
 * `gc:progress` events) and deleting a repository.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GcOptions, GcProgress } from '../../../../src-server/contract';
import { useApi } from '../../api/context';
import { sharedKeys } from '../../app/queries';

/** Query keys of the storage feature. */
export const storageKeys = {
  usage: sharedKeys.usage,
};


/** A garbage collection or its preview (`dryRun`); a real run refreshes usage and browse listings. */
export function useGarbageCollection() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (options: GcOptions) => api.invoke('gc:run', options),
    onSuccess: (report) => {
      if (!report.dryRun) {
        void client.invalidateQueries({ queryKey: storageKeys.usage });
        void client.invalidateQueries({ queryKey: ['browse'] });
      }
    },
  });
}

/** Deletes a local repository; refreshes usage and browse listings. */
export function useDeleteRepository() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.invoke('repository:delete', { name }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: storageKeys.usage });
      void client.invalidateQueries({ queryKey: ['browse'] });
    },
  });
}

/**
 * The latest `gc:progress` event while a collection is followed (`follow(true)`). The subscription
 * lives as long as the component, so no event is lost between the click and the call.
 */
export function useGcProgress() {
  const api = useApi();
  const following = useRef(false);
  const [progress, setProgress] = useState<GcProgress | null>(null);
  useEffect(
    () =>
      api.on('gc:progress', (p) => {
        if (following.current) setProgress(p);
      }),
    [api],
  );
  const follow = useCallback((on: boolean) => {
    following.current = on;
    if (on) setProgress(null);
  }, []);
  return { progress, follow };
}

/** Storage usage of the local registry: one hook for every screen that shows it. */
export { useRegistryUsage } from '../../app/queries';
