/**
 * A connection's repositories (`#/browse/<connection>?q=…&sort=…&dir=…&page=…`): search, sorting and
 * paging done by the server over the whole list (fast with 10,000 repositories: only the page shown
 * is read and rendered), all kept in the address so that Back, reloads and links show the same view;
 * refresh, and empty states that say what to do next.
 */
import { Alert, Badge, Button, Group, Stack, Text, Title } from '@mantine/core';
import type { ConnectionInfo, RepositoriesPage, RepositorySort } from '../../../../../src-server/contract';
import { EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { count } from '../../../app/format';
import { useConnections } from '../../../app/queries';
import { navigate, useRoute, type ListView } from '../../../app/route';
import { useAddressSearch } from '../address-search';
import { PAGE_SIZE, useRefreshRepositories, useRepositories, type RepositoriesView } from '../queries';
import { BrowseErrorAlert } from './BrowseErrorAlert';
import { LocalEmpty, RemoteEmpty, SourceHint } from './RepositoriesEmpty';
import { NumberedPageControls, type SortState } from './RepositoriesPaging';
import { RepositoriesSearchBar, type SearchMode } from './RepositoriesSearchBar';
import { RepositoriesTable } from './RepositoriesTable';
import { SearchResults } from './SearchResults';

const KIND_LABELS: Record<ConnectionInfo['kind'], string> = {
  local: 'This computer',
  registry: 'Registry',
  dockerhub: 'Docker Hub',
  ghcr: 'GitHub',
  harbor: 'Harbor',
  quay: 'Quay',
};

/** The view the address names for this connection, with the defaults filled in. */
interface ScreenView extends RepositoriesView {
  mode: SearchMode;
  within: string;
}

function useView(connection: string): ScreenView {
  const route = useRoute();
  const v: ListView = route.screen === 'repositories' && route.connection === connection ? route : {};
  return { query: v.q ?? '', sort: v.sort ?? 'name', dir: v.dir ?? 'asc', page: v.page ?? 1, mode: v.find ?? 'name', within: v.in ?? '' };
}

/** The repositories of `connection`. */
export function RepositoriesScreen({ connection }: { connection: string }) {
  const connections = useConnections();
  const info = connections.data?.find((c) => c.id === connection);
  const view = useView(connection);
  const go = (next: Partial<ScreenView>, replace = false) => {
    const v = { ...view, ...next };
    const find = v.mode === 'name' ? undefined : v.mode;
    navigate({ screen: 'repositories', connection, q: v.query, sort: v.sort, dir: v.dir, page: v.page, find, in: v.within }, { replace });
  };
  const [search, setSearch] = useAddressSearch(view.query, (query) => go({ query, page: 1 }, true));
  const [within, setWithin] = useAddressSearch(view.within, (w) => go({ within: w, page: 1 }, true));
  const page = useRepositories(connection, view, view.mode === 'name');
  const refresh = useRefreshRepositories(connection, view);
  const data = page.data;
  const pages = data && data.total !== null ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : null;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2} data-testid="connection-name">
            {info?.name ?? connection}
          </Title>
          {info && (
            <Group gap="xs">
              <Badge variant="light" data-testid="connection-kind">
                {KIND_LABELS[info.kind]}
              </Badge>
              {info.url && (
                <Text size="sm" c="dimmed">
                  {info.url}
                </Text>
              )}
            </Group>
          )}
        </Stack>
        <Button variant="default" onClick={() => refresh.mutate()} loading={refresh.isPending} data-testid="repositories-refresh" aria-label="Refresh repositories">
          Refresh
        </Button>
      </Group>
      <RepositoriesSearchBar
        mode={view.mode}
        onMode={(mode) => go({ mode, page: 1 })}
        text={search}
        onText={setSearch}
        within={within}
        onWithin={setWithin}
      />
      {/* A page in error says so itself: the refresh's failure is the same one. */}
      {refresh.isError && !page.isError && <ErrorAlert error={refresh.error} title="The list could not be refreshed" />}
      {view.mode !== 'name' ? (
        <SearchResults connection={connection} kind={view.mode} query={view.query} within={view.within} page={view.page} onPage={(p) => go({ page: p })} />
      ) : page.isPending ? (
        <Loading label="Listing repositories…" />
      ) : page.isError ? (
        <BrowseErrorAlert error={page.error} connection={connection} />
      ) : (
        <PageBody
          data={page.data}
          info={info}
          connection={connection}
          view={view}
          pages={pages}
          onSort={(s: SortState<RepositorySort>) => go({ sort: s.key, dir: s.dir, page: 1 })}
          onPage={(p) => go({ page: p })}
          busy={page.isPlaceholderData || page.isFetching}
        />
      )}
      {data && view.mode === 'name' && (
        <NumberedPageControls
          prefix="repositories"
          page={view.page}
          pages={pages}
          full={data.items.length >= PAGE_SIZE}
          busy={page.isPlaceholderData}
          onPage={(p) => go({ page: p })}
        />
      )}
    </Stack>
  );
}

function PageBody({
  data,
  info,
  connection,
  view,
  pages,
  onSort,
  onPage,
  busy,
}: {
  data: RepositoriesPage;
  info: ConnectionInfo | undefined;
  connection: string;
  view: RepositoriesView;
  pages: number | null;
  onSort: (s: SortState<RepositorySort>) => void;
  onPage: (page: number) => void;
  busy: boolean;
}) {
  const { query } = view;
  if (data.items.length === 0 && view.page > 1 && pages !== null && (data.total ?? 0) > 0) {
    return (
      <Stack align="center" data-testid="repositories-past-end">
        <EmptyState title={`There is no page ${view.page.toLocaleString()}`}>The list has {count(pages, 'page')}.</EmptyState>
        <Button variant="default" onClick={() => onPage(pages)}>
          Go to page {pages.toLocaleString()}
        </Button>
      </Stack>
    );
  }
  if (data.items.length === 0) {
    if (query) return <EmptyState title="No repository matches">Nothing here has “{query}” in its name.</EmptyState>;
    return connection === 'local' || info?.kind === 'local' ? <LocalEmpty /> : <RemoteEmpty page={data} info={info} />;
  }
  return (
    <Stack gap="sm">
      <SourceHint page={data} info={info} />
      {data.truncated && (
        <Alert color="yellow" variant="light" data-testid="repositories-truncated" title="Only part of the catalog was read">
          The registry lists more repositories than Berth reads at once; the order, the search and the total cover the first{' '}
          {count(data.total ?? 0, 'repository', 'repositories')}.
        </Alert>
      )}
      <Text size="sm" c="dimmed" data-testid="repositories-total">
        {data.total !== null
          ? query
            ? `${count(data.total, 'repository', 'repositories')} match “${query}”`
            : count(data.total, 'repository', 'repositories')
          : `${count(data.items.length, 'repository', 'repositories')} on this page`}
      </Text>
      <RepositoriesTable connection={connection} items={data.items} busy={busy} sort={view.sort} dir={view.dir} onSort={onSort} />
    </Stack>
  );
}
