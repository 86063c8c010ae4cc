/**
 * A repository's tags (`#/browse/<connection>/<repository>`): breadcrumbs, the repository's size
 * (and, locally, what it stores in all, untagged images included, as the repository list counts it),
 * refresh, search, the tags table with paging, deleting the selected tags (after the server's plan
 * for the whole selection), exporting the selected tags of the local registry as one archive,
 * deleting the whole repository, and comparing two tags (CompareModal).
 */
import { Anchor, Breadcrumbs, Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { LOCAL_CONNECTION_ID, type TagSummary } from '../../../../../src-server/contract';
import { errorCode } from '../../../api/errors';
import { CopyField, EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { count, formatBytes } from '../../../app/format';
import { useConnections, useRegistryStatus } from '../../../app/queries';
import { hrefOf } from '../../../app/route';
import { useRepositoryAccess } from '../../../app/viewer';
import { CompareModal } from '../../contents/components/CompareModal';
import { ExportArchiveModal } from '../../archives/components/ExportArchiveModal';
import { useRefreshRepository, useRepositorySize, useTags } from '../queries';
import { BrowseErrorAlert } from './BrowseErrorAlert';
import { DeleteTagsModal } from './DeleteTagsModal';
import { PageControls, useCursorStack } from './RepositoriesPaging';
import { TagsDeleteRepositoryModal } from './TagsDeleteRepositoryModal';
import { TagsTable } from './TagsTable';

/** The tags of `repository` on `connection`. */
export function TagsScreen({ connection, repository }: { connection: string; repository: string }) {
  const [search, setSearch] = useState('');
  const [query] = useDebouncedValue(search.trim(), 250);
  const cursors = useCursorStack(query);
  const page = useTags(connection, repository, query, cursors.last);
  const refresh = useRefreshRepository(connection, repository);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [deleting, setDeleting] = useState<string[] | null>(null);
  const [deletingRepo, setDeletingRepo] = useState(false);
  const [comparing, setComparing] = useState(false);
  const [exporting, setExporting] = useState<TagSummary[] | null>(null);
  // Only the local registry's tags are exported (whoever may read them may: the server checks again).
  const mayExport = connection === LOCAL_CONNECTION_ID;
  // Deletes are offered only to those who may delete here; others browse read-only.
  const mayDelete = useRepositoryAccess(connection, repository)?.delete === true;

  const visible = page.data?.items ?? [];
  const chosen = visible.filter((t) => selected.has(t.name)).map((t) => t.name);
  const toggle = (tags: string[], on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      for (const t of tags) if (on) next.add(t);
      else next.delete(t);
      return next;
    });

  return (
    <Stack gap="md">
      <TagsBreadcrumbs connection={connection} repository={repository} />
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={2} style={{ overflowWrap: 'anywhere' }}>
            {repository}
          </Title>
          <RepositorySizeLine connection={connection} repository={repository} />
        </Stack>
        <Group gap="xs">
          <Button variant="default" onClick={() => setComparing(true)} data-testid="tags-compare">
            Compare
          </Button>
          <Button variant="default" onClick={() => refresh.mutate()} loading={refresh.isPending} data-testid="tags-refresh" aria-label="Refresh tags">
            Refresh
          </Button>
          {mayDelete && (
            <Button color="red" variant="light" onClick={() => setDeletingRepo(true)} data-testid="repository-delete-open">
              Delete repository
            </Button>
          )}
        </Group>
      </Group>
      {/* A page in error says so itself: the refresh's failure is the same one. */}
      {refresh.isError && !page.isError && <ErrorAlert error={refresh.error} title="The tags could not be refreshed" />}
      <Group gap="sm" align="flex-end">
        <TextInput
          style={{ flex: 1 }}
          aria-label="Search tags"
          data-testid="tags-search"
          placeholder="Search tags"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
        {mayExport && (
          <Button variant="default" disabled={chosen.length === 0} onClick={() => setExporting(visible.filter((t) => selected.has(t.name)))} data-testid="tags-export">
            Export selected tags…
          </Button>
        )}
        {mayDelete && (
          <Button color="red" disabled={chosen.length === 0} onClick={() => setDeleting(chosen)} data-testid="tags-delete">
            {chosen.length === 0 ? 'Delete tags' : `Delete ${count(chosen.length, 'tag')}`}
          </Button>
        )}
      </Group>
      {page.isPending ? (
        <Loading label="Reading the tags…" />
      ) : page.isError ? (
        errorCode(page.error) === 'NAME_UNKNOWN' ? (
          <Stack>
            <EmptyState title="No such repository">
              {repository} does not exist (any more) on this connection. <Anchor href={hrefOf({ screen: 'repositories', connection })}>Back to the repositories</Anchor>.
            </EmptyState>
            <ErrorAlert error={page.error} />
          </Stack>
        ) : (
          <BrowseErrorAlert error={page.error} connection={connection} />
        )
      ) : page.data.items.length === 0 && cursors.page === 1 ? (
        query ? (
          <EmptyState title="No tag matches">No tag of {repository} has “{query}” in its name.</EmptyState>
        ) : (
          <NoTags connection={connection} repository={repository} />
        )
      ) : (
        <Stack gap="sm">
          <Text size="sm" c="dimmed" data-testid="tags-total">
            {page.data.total !== null ? (query ? `${count(page.data.total, 'tag')} match “${query}”` : count(page.data.total, 'tag')) : `${count(page.data.items.length, 'tag')} on this page`}
          </Text>
          <TagsTable
            connection={connection}
            repository={repository}
            items={page.data.items}
            selected={selected}
            onToggle={mayDelete || mayExport ? toggle : undefined}
            busy={page.isPlaceholderData || page.isFetching}
          />
        </Stack>
      )}
      {page.data && (
        <PageControls
          prefix="tags"
          page={cursors.page}
          nextCursor={page.isPlaceholderData ? null : page.data.next}
          busy={page.isPlaceholderData}
          onNext={cursors.next}
          onPrevious={cursors.previous}
        />
      )}
      <DeleteTagsModal
        connection={connection}
        repository={repository}
        tags={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={() => setSelected(new Set())}
      />
      <CompareModal
        connection={connection}
        repository={repository}
        initial={chosen.length > 0 ? chosen : visible.slice(0, 2).map((t) => t.name)}
        opened={comparing}
        onClose={() => setComparing(false)}
      />
      <ExportArchiveModal repository={repository} tags={exporting} onClose={() => setExporting(null)} />
      <TagsDeleteRepositoryModal connection={connection} repository={repository} opened={deletingRepo} onClose={() => setDeletingRepo(false)} />
    </Stack>
  );
}

function TagsBreadcrumbs({ connection, repository }: { connection: string; repository: string }) {
  const connections = useConnections();
  const name = connections.data?.find((c) => c.id === connection)?.name ?? connection;
  return (
    <Breadcrumbs aria-label="Breadcrumbs" separator="›">
      <Anchor href={hrefOf({ screen: 'repositories', connection })}>{name}</Anchor>
      <Text span>{repository}</Text>
    </Breadcrumbs>
  );
}

function RepositorySizeLine({ connection, repository }: { connection: string; repository: string }) {
  const size = useRepositorySize(connection, repository);
  if (size.isPending)
    return (
      <Text size="sm" c="dimmed" data-testid="repository-size">
        Measuring…
      </Text>
    );
  if (size.isError)
    return (
      <Text size="sm" c="dimmed" data-testid="repository-size">
        Size unknown
      </Text>
    );
  const s = size.data;
  return (
    <Text size="sm" c="dimmed" data-testid="repository-size">
      {formatBytes(s.bytes)} · {count(s.tags, 'tag')} · {count(s.images, 'image')}
      {s.stored !== undefined && s.stored > s.bytes ? ` · ${formatBytes(s.stored)} stored in all (untagged images and referrers included)` : ''}
      {s.failed.length > 0 ? ` · not counted (unreadable): ${s.failed.join(', ')}` : ''}
    </Text>
  );
}

function NoTags({ connection, repository }: { connection: string; repository: string }) {
  const status = useRegistryStatus();
  const host = status.data?.url?.replace(/^[a-z]+:\/\//, '').replace(/\/$/, '');
  return (
    <Stack gap="xs" data-testid="tags-empty">
      <EmptyState title="No tags">{repository} has no tags. Push one to see it here.</EmptyState>
      {connection === 'local' && host && <CopyField value={`docker push ${host}/${repository}:TAG`} label="push command" />}
    </Stack>
  );
}
