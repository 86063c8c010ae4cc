/**
 * The hits of a search for tags or digests across a connection's repositories (`browse:search`), as
 * repository:tag with the digest, each linking to the image screen; what the search looked through
 * and, when it could not look everywhere (a remote), what it left out, in the server's words.
 */
import { Alert, Anchor, List, Stack, Table, Text } from '@mantine/core';
import type { SearchHit, SearchKind } from '../../../../../src-server/contract';
import { EmptyState, Loading } from '../../../app/common';
import { count } from '../../../app/format';
import { hrefOf } from '../../../app/route';
import { SEARCH_PAGE_SIZE, useSearch } from '../queries';
import { BrowseErrorAlert } from './BrowseErrorAlert';
import { NumberedPageControls } from './RepositoriesPaging';

/** Why a search text is not sent yet (still being typed), or null when it can be. */
export function notYet(kind: SearchKind, text: string): string | null {
  if (!text) return kind === 'tag' ? 'Type a tag or its beginning: 1.0 finds 1.0, 1.0.1 and 1.0-alpine in every repository.' : 'Type a digest or its beginning, with or without sha256:.';
  if (kind === 'digest') {
    const partialAlgorithm = /^s(h(a\d{0,3})?)?:?$/i.test(text);
    const hex = text.replace(/^(sha256|sha512):/i, '');
    if (partialAlgorithm || /^[0-9a-f]{0,3}$/i.test(hex)) return 'Type at least 4 hex digits of the digest.';
  }
  return null;
}

const short = (digest: string) => `${digest.slice(0, digest.indexOf(':') + 13)}…`;

/** The hits of `query` among the repositories of `connection` (those whose name contains `within`). */
export function SearchResults({
  connection,
  kind,
  query,
  within,
  page,
  onPage,
}: {
  connection: string;
  kind: SearchKind;
  query: string;
  within: string;
  page: number;
  onPage: (page: number) => void;
}) {
  const hint = notYet(kind, query);
  const search = useSearch(hint ? null : { connection, kind, query, ...(within ? { repositories: within } : {}), n: SEARCH_PAGE_SIZE, page });
  if (hint)
    return (
      <Text c="dimmed" size="sm" data-testid="search-hint">
        {hint}
      </Text>
    );
  if (search.isPending) return <Loading label="Searching…" />;
  if (search.isError) return <BrowseErrorAlert error={search.error} connection={connection} />;
  const r = search.data;
  const pages = Math.max(1, Math.ceil(r.total / SEARCH_PAGE_SIZE));
  // Nothing looked into: "nothing found" would be a lie; the limits say why.
  const unsearched = !r.complete && r.searched.repositories === 0;
  const where = r.searched.of > r.searched.repositories ? `${r.searched.repositories.toLocaleString()} of ${count(r.searched.of, 'repository', 'repositories')}` : count(r.searched.repositories, 'repository', 'repositories');
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed" data-testid="search-summary">
        {count(r.total, 'hit')} in {where} searched{within ? ` (names containing “${within}”)` : ''}
      </Text>
      {!r.complete && (
        <Alert
          color="yellow"
          variant="light"
          title={unsearched ? 'This registry cannot be searched here' : 'The search did not look everywhere: the results may be partial'}
          data-testid="search-limits"
        >
          <List size="sm">
            {r.limits.map((l) => (
              <List.Item key={l}>{l}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      {r.items.length === 0 && unsearched ? null : r.items.length === 0 ? (
        <EmptyState title="Nothing found">{kind === 'tag' ? `No tag starts with “${query}”.` : `No manifest's digest starts with “${query}”.`}</EmptyState>
      ) : (
        <Table striped highlightOnHover aria-label="Search results" aria-busy={search.isPlaceholderData} data-testid="search-results">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Image</Table.Th>
              <Table.Th>Digest</Table.Th>
              <Table.Th>Platform</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {r.items.map((hit) => (
              <HitRow key={`${hit.repository}:${hit.tag ?? ''}@${hit.digest ?? ''}`} connection={connection} hit={hit} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      <NumberedPageControls prefix="search" page={page} pages={pages} full={r.items.length >= SEARCH_PAGE_SIZE} busy={search.isPlaceholderData} onPage={onPage} />
    </Stack>
  );
}

function HitRow({ connection, hit }: { connection: string; hit: SearchHit }) {
  const image = (reference: string) => hrefOf({ screen: 'image', connection, repository: hit.repository, reference });
  return (
    <Table.Tr data-testid="search-hit">
      <Table.Td style={{ overflowWrap: 'anywhere' }}>
        <Anchor href={image(hit.tag ?? hit.digest!)} data-testid="search-hit-link">
          {hit.tag ? `${hit.repository}:${hit.tag}` : `${hit.repository} (untagged)`}
        </Anchor>
      </Table.Td>
      <Table.Td>
        {hit.digest ? (
          <Anchor href={image(hit.digest)} ff="monospace" size="sm" title={hit.digest} data-testid="search-hit-digest">
            {short(hit.digest)}
          </Anchor>
        ) : (
          <Text size="sm" c="dimmed" title={hit.error}>
            — {hit.error ?? ''}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        {hit.index ? (
          <Text size="sm">
            {hit.index.platform ?? 'a platform'} of the index <span title={hit.index.digest}>{short(hit.index.digest)}</span>
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
