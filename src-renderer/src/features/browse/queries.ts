/**
 * The browse feature's data: repositories, tags, images and sizes of any connection, refreshing the
 * server's cached listings, and deleting tags and repositories. Every key starts with `browse`, so a
 * mutation anywhere can refetch the whole area with `invalidateQueries({queryKey: browseKeys.all})`.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RepositorySort, SearchArgs, SortDirection, TagsDeleteArgs } from '../../../../src-server/contract';
import { useApi } from '../../api/context';

/** Rows per page of repositories and tags. */
export const PAGE_SIZE = 100;

/** Query keys of the browse feature. */
export const browseKeys = {
  all: ['browse'] as const,
  repositoriesOf: (connection: string) => ['browse', 'repositories', connection] as const,
  repositories: (connection: string, view: RepositoriesView) => ['browse', 'repositories', connection, view] as const,
  tagsOf: (connection: string, repository: string) => ['browse', 'tags', connection, repository] as const,
  tags: (connection: string, repository: string, query: string, last: string | undefined) =>
    ['browse', 'tags', connection, repository, { query, last: last ?? null }] as const,
  /** The same key as the image screen's own hook. */
  image: (connection: string, repository: string, reference: string) => ['browse', 'image', connection, repository, reference] as const,
  imagesOf: (connection: string, repository: string) => ['browse', 'image', connection, repository] as const,
  repositorySize: (connection: string, repository: string) => ['browse', 'repository-size', connection, repository] as const,
  search: (args: SearchArgs) => ['browse', 'search', args.connection, args] as const,
};

/** The request of one page: the search (sent only when not empty) and the cursor. */
function pageArgs(query: string, last: string | undefined) {
  return { n: PAGE_SIZE, ...(query ? { query } : {}), ...(last !== undefined ? { last } : {}) };
}

/** A page of a repository list as the server sorts it over the whole list. */
export interface RepositoriesView {
  query: string;
  sort: RepositorySort;
  dir: SortDirection;
  page: number;
}

/** The request of one sorted page (the search sent only when not empty). */
function viewArgs(view: RepositoriesView) {
  return { n: PAGE_SIZE, ...(view.query ? { query: view.query } : {}), sort: view.sort, dir: view.dir, page: view.page };
}

/**
 * One page of a connection's repositories, sorted by the server; the previous page stays shown
 * while the next loads. Nothing is asked while `enabled` is false (the screen searches tags instead).
 */
export function useRepositories(connection: string, view: RepositoriesView, enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: browseKeys.repositories(connection, { query: view.query, sort: view.sort, dir: view.dir, page: view.page }),
    queryFn: () => api.invoke('browse:repositories', { connection, ...viewArgs(view) }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** Re-reads the page shown, bypassing the server's cached list; the other pages are refetched when shown. */
export function useRefreshRepositories(connection: string, view: RepositoriesView) {
  const api = useApi();
  const client = useQueryClient();
  // The page is a variable of the call, not of the render: an answer arriving after the user paged
  // on is filed under the page it was asked for.
  const mutation = useMutation({
    mutationFn: (page: RepositoriesView) => {
      const key = browseKeys.repositories(connection, page);
      const read = () => api.invoke('browse:repositories', { connection, ...viewArgs(page), refresh: true });
      // The page is still being read (a slow or hung remote): wait for that read, not a second one.
      return client.isFetching({ queryKey: key, exact: true }) > 0 ? client.fetchQuery({ queryKey: key, queryFn: read }) : read();
    },
    onSuccess: async (result, page) => {
      await client.invalidateQueries({ queryKey: browseKeys.repositoriesOf(connection), refetchType: 'none' });
      // A search across repositories read the same listing: it is stale too.
      await client.invalidateQueries({ queryKey: ['browse', 'search', connection] });
      client.setQueryData(browseKeys.repositories(connection, page), result);
    },
  });
  return { ...mutation, mutate: () => mutation.mutate({ query: view.query, sort: view.sort, dir: view.dir, page: view.page }) };
}

/** Hits per page of a search across repositories. */
export const SEARCH_PAGE_SIZE = 50;

/** A page of a search for tags or digests across a connection's repositories; nothing is asked while `args` is null. */
export function useSearch(args: SearchArgs | null) {
  const api = useApi();
  return useQuery({
    queryKey: args ? browseKeys.search(args) : ['browse', 'search', null],
    queryFn: () => api.invoke('browse:search', args!),
    enabled: args !== null,
    placeholderData: keepPreviousData,
  });
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

/** The plan of deleting a selection of tags (`tags:delete-plan`), asked once per opening of the dialog. */
export function useTagsDeletePlan(connection: string, repository: string, tags: string[]) {
  const api = useApi();
  return useQuery({
    // Outside `browse`: the refetch after a delete must not re-plan what was just deleted.
    queryKey: ['tags-delete-plan', connection, repository, tags] as const,
    queryFn: () => api.invoke('tags:delete-plan', { connection, repository, tags }),
    // The user confirms the plan they read: it is not re-asked behind their back.
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
  });
}

/**
 * Carries out a plan (`tags:delete`), then refetches every screen that shows the repository: its
 * tags, size and images, the connection's repository list, and the local registry's usage.
 */
export function useDeleteTags(connection: string, repository: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (plan: Omit<TagsDeleteArgs, 'connection' | 'repository'>) => api.invoke('tags:delete', { connection, repository, ...plan }),
    onSettled: () => Promise.all([invalidateRepository(client, connection, repository), client.invalidateQueries({ queryKey: ['usage'] })]),
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
