/** The table of one page of tags: select, link to the image, digest with copy, platforms, size, created, origin. */
import { Anchor, Badge, Checkbox, Group, Stack, Table, Text } from '@mantine/core';
import type { ContentOrigin, TagSummary } from '../../../../../src-server/contract';
import { formatBytes, formatDate, shortDigest } from '../../../app/format';
import { hrefOf } from '../../../app/route';
import { CopyIconButton } from '../../../app/common';

/** How a tag's content arrived (local registry only). */
export function originText(origin: ContentOrigin): string {
  if (origin.source === 'pushed') return 'pushed';
  if (origin.source === 'cached') return origin.upstream ? `cached from ${origin.upstream}` : 'cached from upstream';
  return 'unknown';
}

/** `selected` holds tag names; `onToggle(names, on)` changes them (no selection column without it: read-only). */
export function TagsTable({
  connection,
  repository,
  items,
  selected,
  onToggle,
  busy,
}: {
  connection: string;
  repository: string;
  items: TagSummary[];
  selected: ReadonlySet<string>;
  onToggle?: (tags: string[], on: boolean) => void;
  busy: boolean;
}) {
  const showOrigin = items.some((t) => t.origin !== null);
  const all = items.length > 0 && items.every((t) => selected.has(t.name));
  const some = items.some((t) => selected.has(t.name));
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped highlightOnHover aria-label="Tags" aria-busy={busy} style={{ opacity: busy ? 0.6 : 1 }} data-testid="tags-table">
        <Table.Thead>
          <Table.Tr>
            {onToggle && (
              <Table.Th w={40}>
                <Checkbox
                  aria-label="Select all tags on this page"
                  data-testid="tags-select-all"
                  checked={all}
                  indeterminate={some && !all}
                  onChange={(e) => onToggle(items.map((t) => t.name), e.currentTarget.checked)}
                />
              </Table.Th>
            )}
            <Table.Th>Tag</Table.Th>
            <Table.Th>Digest</Table.Th>
            <Table.Th>Platforms</Table.Th>
            <Table.Th>Size</Table.Th>
            <Table.Th>Created</Table.Th>
            {showOrigin && <Table.Th>Origin</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((t) => (
            <Table.Tr key={t.name} data-testid="tag-row" data-tag={t.name}>
              {onToggle && (
                <Table.Td>
                  <Checkbox
                    aria-label={`Select ${t.name}`}
                    data-testid="tag-checkbox"
                    checked={selected.has(t.name)}
                    onChange={(e) => onToggle([t.name], e.currentTarget.checked)}
                  />
                </Table.Td>
              )}
              <Table.Td>
                <Stack gap={2}>
                  <Anchor href={hrefOf({ screen: 'image', connection, repository, reference: t.name })} data-testid="tag-link" ff="monospace">
                    {t.name}
                  </Anchor>
                  {t.error && (
                    <Text size="xs" c="red" data-testid="tag-error">
                      {t.error}
                    </Text>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>
                {t.digest ? (
                  <Group gap={4} wrap="nowrap">
                    <Text ff="monospace" size="sm" title={t.digest}>
                      {shortDigest(t.digest)}
                    </Text>
                    <CopyIconButton value={t.digest} label={`Copy digest of ${t.name}`} tooltip="Copy digest" />
                  </Group>
                ) : (
                  '—'
                )}
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {t.platforms.map((p) => (
                    <Badge key={p} variant="light" size="sm" tt="none">
                      {p}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{formatBytes(t.size)}</Table.Td>
              <Table.Td>{formatDate(t.created)}</Table.Td>
              {showOrigin && <Table.Td>{t.origin ? originText(t.origin) : '—'}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
