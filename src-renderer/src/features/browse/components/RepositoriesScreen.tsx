/**
 * A connection's repositories (`#/browse/<connection>`): search, one page of 100 at a time from the
 * server's cursor (fast with 10,000 repositories: only the page shown is rendered), sorting within
 * the page, refresh, and empty states that say what to do next.
 */
import { Alert, Anchor, Badge, Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { ConnectionInfo, RepositoriesPage } from '../../../../../src-server/contract';
import { CopyField, EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { count } from '../../../app/format';
import { useConnections, useRegistryStatus } from '../../../app/queries';
import { hrefOf } from '../../../app/route';
import { useRefreshRepositories, useRepositories } from '../queries';
import { PageControls, useCursorStack } from './RepositoriesPaging';
import { RepositoriesTable } from './RepositoriesTable';

const KIND_LABELS: Record<ConnectionInfo['kind'], string> = {
  local: 'This computer',
  registry: 'Registry',
  dockerhub: 'Docker Hub',
  ghcr: 'GitHub',
  harbor: 'Harbor',
  quay: 'Quay',
};

/** The repositories of `connection`. */
export function RepositoriesScreen({ connection }: { connection: string }) {
  const connections = useConnections();
  const info = connections.data?.find((c) => c.id === connection);
  const [search, setSearch] = useState('');
  const [query] = useDebouncedValue(search.trim(), 250);
  const cursors = useCursorStack(query);
  const page = useRepositories(connection, query, cursors.last);
  const refresh = useRefreshRepositories(connection, query, cursors.last);

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
      <TextInput
        aria-label="Search repositories"
        data-testid="repositories-search"
        placeholder="Search repositories"
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        type="search"
      />
      {/* A page in error says so itself: the refresh's failure is the same one. */}
      {refresh.isError && !page.isError && <ErrorAlert error={refresh.error} title="The list could not be refreshed" />}
      {page.isPending ? (
        <Loading label="Listing repositories…" />
      ) : page.isError ? (
        <ErrorAlert error={page.error} />
      ) : (
        <PageBody
          data={page.data}
          info={info}
          connection={connection}
          query={query}
          firstPage={cursors.page === 1}
          busy={page.isPlaceholderData || page.isFetching}
        />
      )}
      {page.data && (
        <PageControls
          prefix="repositories"
          page={cursors.page}
          nextCursor={page.isPlaceholderData ? null : page.data.next}
          busy={page.isPlaceholderData}
          onNext={cursors.next}
          onPrevious={cursors.previous}
        />
      )}
    </Stack>
  );
}

function PageBody({
  data,
  info,
  connection,
  query,
  firstPage,
  busy,
}: {
  data: RepositoriesPage;
  info: ConnectionInfo | undefined;
  connection: string;
  query: string;
  firstPage: boolean;
  busy: boolean;
}) {
  if (data.items.length === 0 && firstPage) {
    if (query) return <EmptyState title="No repository matches">Nothing here has “{query}” in its name.</EmptyState>;
    return connection === 'local' || info?.kind === 'local' ? <LocalEmpty /> : <RemoteEmpty source={data.source} />;
  }
  return (
    <Stack gap="sm">
      <SourceHint source={data.source} />
      <Text size="sm" c="dimmed" data-testid="repositories-total">
        {data.total !== null
          ? query
            ? `${count(data.total, 'repository', 'repositories')} match “${query}”`
            : count(data.total, 'repository', 'repositories')
          : `${count(data.items.length, 'repository', 'repositories')} on this page`}
      </Text>
      <RepositoriesTable connection={connection} items={data.items} busy={busy} />
    </Stack>
  );
}

function SourceHint({ source }: { source: RepositoriesPage['source'] }) {
  if (source === 'saved')
    return (
      <Alert color="blue" variant="light" data-testid="repositories-source" title="The registry does not list its repositories">
        It refused the catalog, so these are the repositories you added by name. Add more in the <Anchor href={hrefOf({ screen: 'connections' })}>connection's settings</Anchor>.
      </Alert>
    );
  if (source === 'namespace')
    return (
      <Alert color="blue" variant="light" data-testid="repositories-source" title="Docker Hub has no catalog">
        These are the repositories of the namespaces (and the names) you added in the{' '}
        <Anchor href={hrefOf({ screen: 'connections' })}>connection's settings</Anchor>.
      </Alert>
    );
  return null;
}

function LocalEmpty() {
  const status = useRegistryStatus();
  const host = status.data?.url?.replace(/^[a-z]+:\/\//, '').replace(/\/$/, '') ?? 'localhost:5000';
  return (
    <Stack gap="xs" data-testid="repositories-empty">
      <EmptyState title="Nothing pushed yet">Tag an image with this registry's address and push it; it shows up here.</EmptyState>
      <CopyField value={`docker tag IMAGE ${host}/image\ndocker push ${host}/image`} label="push command" />
    </Stack>
  );
}

function RemoteEmpty({ source }: { source: RepositoriesPage['source'] }) {
  return (
    <Stack gap="xs" data-testid="repositories-empty" align="center">
      <EmptyState title="No repositories visible">
        {source === 'namespace'
          ? 'Docker Hub lists only the namespaces and repositories you name.'
          : 'This registry shows no repositories to this user (or refuses to list them).'}{' '}
        Add repository names in the connection's settings to browse them.
      </EmptyState>
      <Anchor href={hrefOf({ screen: 'connections' })} data-testid="repositories-connections-link">
        Open connections
      </Anchor>
    </Stack>
  );
}
