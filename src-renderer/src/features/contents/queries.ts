/**
 * The contents feature's data: an image's files and layers (per platform), a file's preview, two
 * images' diff, and the download link of a file or folder. Keys start with `contents`; the answers
 * describe content-addressed layers, so a tag's answer stays until the screen is reopened.
 */
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import { describeError } from '../../api/errors';
import type { ContentsDiffArgs, ContentsPathArgs, ContentsRef } from '../../../../src-server/contract';
import { useApi } from '../../api/context';

/** Query keys of the contents feature. */
export const contentsKeys = {
  all: ['contents'] as const,
  files: (ref: ContentsRef) => ['contents', 'files', ref] as const,
  layers: (ref: ContentsRef) => ['contents', 'layers', ref] as const,
  preview: (args: ContentsPathArgs) => ['contents', 'preview', args] as const,
  diff: (args: ContentsDiffArgs) => ['contents', 'diff', args] as const,
};

/** The same image with the platform left out when none is chosen (the server picks or names the choices). */
function clean(ref: ContentsRef): ContentsRef {
  const { connection, repository, reference, platform } = ref;
  return { connection, repository, reference, ...(platform ? { platform } : {}) };
}

// Listing a large image reads every layer once: a minute is not unusual, and a repeat is cheap.
const STALE = 5 * 60_000;

/** The merged filesystem of one platform of an image. */
export function useImageFiles(ref: ContentsRef, enabled = true) {
  const api = useApi();
  const args = clean(ref);
  return useQuery({ queryKey: contentsKeys.files(args), queryFn: () => api.invoke('contents:files', args), staleTime: STALE, enabled });
}

/** Each layer's changes of one platform of an image. */
export function useImageLayers(ref: ContentsRef, enabled = true) {
  const api = useApi();
  const args = clean(ref);
  return useQuery({ queryKey: contentsKeys.layers(args), queryFn: () => api.invoke('contents:layers', args), staleTime: STALE, enabled });
}

/** The start of one file; nothing is asked while `path` is null. */
export function useFilePreview(ref: ContentsRef, path: string | null) {
  const api = useApi();
  const args = { ...clean(ref), path: path ?? '' };
  return useQuery({ queryKey: contentsKeys.preview(args), queryFn: () => api.invoke('contents:preview', args), staleTime: STALE, enabled: path !== null });
}

/** The diff of two images; nothing is asked while `args` is null (the form is not sent yet). */
export function useImageDiff(args: ContentsDiffArgs | null) {
  const api = useApi();
  const sent = args && { left: clean(args.left), right: clean(args.right) };
  return useQuery({
    queryKey: contentsKeys.diff(sent ?? { left: { connection: '', repository: '', reference: '' }, right: { connection: '', repository: '', reference: '' } }),
    queryFn: () => api.invoke('contents:diff', sent!),
    staleTime: STALE,
    enabled: sent !== null,
  });
}

/** Tags of a repository to pick from (the first 100 matching `query`); nothing is asked until both names are given. */
export function useTagChoices(connection: string, repository: string, query: string) {
  const api = useApi();
  const q = query.trim();
  return useQuery({
    queryKey: ['browse', 'tags', connection, repository, { choices: q }] as const,
    queryFn: () => api.invoke('browse:tags', { connection, repository, n: 100, ...(q ? { query: q } : {}) }),
    enabled: connection !== '' && repository.trim() !== '',
    staleTime: 30_000,
  });
}

/** How the GUI gets a file or folder out of an image: a link (browser) or a save dialog (desktop window). */
export interface Downloads {
  /** A download link's address (the browser's transport), else null. */
  href: ((args: ContentsPathArgs) => string) | null;
  /** Saves through the desktop's save dialog (`name`: its suggestion), else null. */
  save: ((args: ContentsPathArgs, name: string) => void) | null;
}

/**
 * How to download: a link address where the transport has one (the browser), else the desktop's
 * save dialog over IPC (`contents:save`), the outcome shown as a notification.
 */
export function useDownloads(): Downloads {
  const api = useApi();
  const saving = useMutation({
    mutationFn: (v: { args: ContentsPathArgs; name: string }) => api.invoke('contents:save', { ...clean(v.args), path: v.args.path, name: v.name }),
    onSuccess: (r) => r.path !== null && notifications.show({ message: `Saved ${r.path}` }),
    onError: (err) => notifications.show({ color: 'red', ...describeError(err) }),
  });
  const url = api.contentsDownloadUrl;
  if (url) return { href: (args) => url({ ...clean(args), path: args.path }), save: null };
  return { href: null, save: api.transport === 'ipc' ? (args, name) => saving.mutate({ args, name }) : null };
}
