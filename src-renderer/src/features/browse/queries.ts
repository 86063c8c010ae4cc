/**
 * The browse feature's data: repositories, tags, images and sizes of any connection, refreshing the
 * server's cached listings, and deleting tags and repositories. Every key starts with `browse`, so a
 * mutation anywhere can refetch the whole area with `invalidateQueries({queryKey: browseKeys.all})`.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TagDeleteArgs, TagDeletePlan, TagDeleteResult } from '../../../../src-server/contract';
import { useApi } from '../../api/context';

/** Rows per page of repositories and tags. */
export const PAGE_SIZE = 100;

/** Query keys of the browse feature. */
export const browseKeys = {
  all: ['browse'] as const,
  repositoriesOf: (connection: string) => ['browse', 'repositories', connection] as const,
  repositories: (connection: string, query: string, last: string | undefined) => ['browse', 'repositories', connection, { query, last: last ?? null }] as const,
  tagsOf: (connection: string, repository: string) => ['browse', 'tags', connection, repository] as const,
  tags: (connection: string, repository: string, query: string, last: string | undefined) =>
    ['browse', 'tags', connection, repository, { query, last: last ?? null }] as const,
  /** The same key as the image screen's own hook. */
  image: (connection: string, repository: string, reference: string) => ['browse', 'image', connection, repository, reference] as const,
  imagesOf: (connection: string, repository: string) => ['browse', 'image', connection, repository] as const,
  repositorySize: (connection: string, repository: string) => ['browse', 'repository-size', connection, repository] as const,
};

/** The request of one page: the search (sent only when not empty) and the cursor. */
function pageArgs(query: string, last: string | undefined) {
  return { n: PAGE_SIZE, ...(query ? { query } : {}), ...(last !== undefined ? { last } : {}) };
}

/** One page of a connection's repositories; the previous page stays shown while the next loads. */
export function useRepositories(connection: string, query: string, last: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: browseKeys.repositories(connection, query, last),
    queryFn: () => api.invoke('browse:repositories', { connection, ...pageArgs(query, last) }),
    placeholderData: keepPreviousData,
  });
}

/** Re-reads the page shown, bypassing the server's cached list; the other pages are refetched when shown. */
export function useRefreshRepositories(connection: string, query: string, last: string | undefined) {
  const api = useApi();
  const client = useQueryClient();
  // The page is a variable of the call, not of the render: an answer arriving after the user paged
  // on is filed under the page it was asked for.
  const mutation = useMutation({
    mutationFn: (page: { query: string; last: string | undefined }) => {
      const key = browseKeys.repositories(connection, page.query, page.last);
      const read = () => api.invoke('browse:repositories', { connection, ...pageArgs(page.query, page.last), refresh: true });
      // The page is still being read (a slow or hung remote): wait for that read, not a second one.
      return client.isFetching({ queryKey: key, exact: true }) > 0 ? client.fetchQuery({ queryKey: key, queryFn: read }) : read();
    },
    onSuccess: async (result, page) => {
      await client.invalidateQueries({ queryKey: browseKeys.repositoriesOf(connection), refetchType: 'none' });
      client.setQueryData(browseKeys.repositories(connection, page.query, page.last), result);
    },
  });
  return { ...mutation, mutate: () => mutation.mutate({ query, last }) };
}

/** One page of a repository's tags. */
export function useTags(connection: string, repository: string, query: string, last: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: browseKeys.tags(connection, repository, query, last),
    queryFn: () => api.invoke('browse:tags', { connection, repository, ...pageArgs(query, last) }),
    placeholderData: keepPreviousData,
  });
}

/** An image's details by tag or digest (`browse:image`). */
export function useImage(connection: string, repository: string, reference: string) {
  const api = useApi();
  return useQuery({
    queryKey: browseKeys.image(connection, repository, reference),
    queryFn: () => api.invoke('browse:image', { connection, repository, reference }),
  });
}

/** Tags, images and distinct bytes of a repository. */
export function useRepositorySize(connection: string, repository: string) {
  const api = useApi();
  return useQuery({
    queryKey: browseKeys.repositorySize(connection, repository),
    queryFn: () => api.invoke('browse:repository-size', { connection, repository }),
  });
}

/** Forgets the server's cached tag list of a repository, then refetches what the screens show of it. */
export function useRefreshRepository(connection: string, repository: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.invoke('browse:refresh', { connection, repository }),
    onSuccess: () => invalidateRepository(client, connection, repository),
  });
}

function invalidateRepository(client: ReturnType<typeof useQueryClient>, connection: string, repository: string) {
  return Promise.all([
    client.invalidateQueries({ queryKey: browseKeys.tagsOf(connection, repository) }),
    client.invalidateQueries({ queryKey: browseKeys.repositorySize(connection, repository) }),
    client.invalidateQueries({ queryKey: browseKeys.imagesOf(connection, repository) }),
    client.invalidateQueries({ queryKey: browseKeys.repositoriesOf(connection) }),
  ]);
}

/** The plan of one selected tag, or why it could not be made. */
export type TagPreview = { tag: string; plan: TagDeletePlan; error?: undefined } | { tag: string; plan?: undefined; error: unknown };

/** Asks the server what deleting each tag would do (`tag:delete-preview`, one call per tag). */
export function useTagDeletePreview(connection: string, repository: string) {
  const api = useApi();
  return useMutation({
    mutationFn: (tags: string[]): Promise<TagPreview[]> =>
      Promise.all(
        tags.map((tag) =>
          api.invoke('tag:delete-preview', { connection, repository, tag }).then(
            (plan): TagPreview => ({ tag, plan }),
            (error: unknown): TagPreview => ({ tag, error }),
          ),
        ),
      ),
  });
}

/** What happened to one tag the user confirmed. */
export type TagDeleteOutcome =
  | { tag: string; status: 'deleted'; result: TagDeleteResult }
  /** Removed by an earlier call of the same batch (a sibling deleted with its manifest). */
  | { tag: string; status: 'removed-with'; by: string }
  | { tag: string; status: 'failed'; error: unknown };

/**
 * Deletes the confirmed tags one after the other (a manifest delete takes its siblings with it, so a
 * later tag of the same manifest is already gone and is not asked for again), then refetches the
 * repository's listings.
 */
export function useDeleteTags(connection: string, repository: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (items: Array<Omit<TagDeleteArgs, 'connection' | 'repository'>>): Promise<TagDeleteOutcome[]> => {
      const outcomes: TagDeleteOutcome[] = [];
      const removedBy = new Map<string, string>();
      for (const item of items) {
        const by = removedBy.get(item.tag);
        if (by !== undefined) {
          outcomes.push({ tag: item.tag, status: 'removed-with', by });
          continue;
        }
        try {
          const result = await api.invoke('tag:delete', { connection, repository, ...item });
          for (const t of result.removedTags) if (t !== item.tag) removedBy.set(t, item.tag);
          outcomes.push({ tag: item.tag, status: 'deleted', result });
        } catch (error) {
          outcomes.push({ tag: item.tag, status: 'failed', error });
        }
      }
      return outcomes;
    },
    onSettled: () => invalidateRepository(client, connection, repository),
  });
}

/** Deletes a whole repository of a connection (`repository:delete`). */
export function useDeleteRepository(connection: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.invoke('repository:delete', { name, connection }),
    onSuccess: () =>
      Promise.all([client.invalidateQueries({ queryKey: browseKeys.all }), client.invalidateQueries({ queryKey: ['usage'] })]),
  });
}
