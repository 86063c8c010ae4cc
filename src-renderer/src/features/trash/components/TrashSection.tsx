/**
 * Recently deleted (`#/storage/trash`): the trash of the local registry, newest first, a page at a
 * time, with its totals, Restore per item and Empty trash (confirmed with how many items and bytes).
 * A restore's refusal is said in words next to the item it was about.
 */
import { Alert, Badge, Button, Group, Modal, Pagination, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TrashItem, TrashListing } from '../../../../../src-server/contract';
import { describeError, errorCode } from '../../../api/errors';
import { ConfirmButtons, EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { count, formatBytes, formatDate } from '../../../app/format';
import { formatKeep, itemReference, itemSource, itemWhat } from '../format';
import { useEmptyTrash, useRestore, useTrash } from '../queries';

/** Items per page. */
export const TRASH_PAGE = 50;

/** What a refused restore means, beyond the server's own message. */
const RESTORE_HELP: Partial<Record<string, string>> = {
  RESTORE_CONFLICT: 'The tag was pushed again since: delete or move the new tag first if the old image should come back.',
  RESTORE_INCOMPLETE: 'Content it needs was removed for good, so it cannot come back whole.',
  TRASH_ITEM_UNKNOWN: 'It was restored, emptied or expired meanwhile; the list has been read again.',
};

/** The section (`data-testid="trash-section"`). */
export function TrashSection() {
  const trash = useTrash();
  return (
    <Stack gap="md" data-testid="trash-section" component="section" aria-label="Recently deleted">
      <Title order={3}>Recently deleted</Title>
      {trash.isPending ? <Loading label="Reading the trash…" /> : trash.isError ? <ErrorAlert error={trash.error} /> : <TrashBody listing={trash.data} />}
    </Stack>
  );
}

function TrashBody({ listing }: { listing: TrashListing }) {
  const [page, setPage] = useState(1);
  const [emptying, setEmptying] = useState(false);
  const restore = useRestore();
  const [failed, setFailed] = useState<{ id: string; error: unknown } | null>(null);
  const pages = Math.max(1, Math.ceil(listing.items.length / TRASH_PAGE));
  const current = Math.min(page, pages);
  const shown = listing.items.slice((current - 1) * TRASH_PAGE, current * TRASH_PAGE);
  const keep = formatKeep(listing.keepSeconds);

  const doRestore = (item: TrashItem) => {
    setFailed(null);
    restore.mutate(
      { id: item.id },
      {
        onSuccess: (r) =>
          notifications.show({
            color: 'green',
            title: 'Restored',
            message: r.restoredTags.length ? `${r.repository}: ${r.restoredTags.join(', ')} ${r.restoredTags.length === 1 ? 'is' : 'are'} back` : `${itemWhat(item)} is back`,
          }),
        onError: (error) => setFailed({ id: item.id, error }),
      },
    );
  };

  return (
    <Stack gap="sm">
      {listing.keepSeconds === 0 ? (
        <Alert color="yellow" title="The trash is off" data-testid="trash-off">
          trash.keep is 0 in the configuration: deletes are final and nothing is kept here.
        </Alert>
      ) : (
        <Text size="sm" c="dimmed">
          Deleted tags and images stay here for {keep} and can be restored whole until then. Garbage collection frees nothing they need before they leave the trash.
        </Text>
      )}
      <Group justify="space-between">
        <Text data-testid="trash-totals">
          <b>{count(listing.totals.items, 'item')}</b> · {formatBytes(listing.totals.heldBytes)} held back from garbage collection
          {listing.totals.bytes !== listing.totals.heldBytes ? ` (${formatBytes(listing.totals.bytes)} needed in all, the rest shared with what is still tagged)` : ''}
        </Text>
        <Button color="red" variant="light" onClick={() => setEmptying(true)} disabled={listing.items.length === 0} data-testid="trash-empty">
          Empty trash
        </Button>
      </Group>
      {failed && !listing.items.some((i) => i.id === failed.id) && <RestoreError error={failed.error} />}
      {listing.items.length === 0 ? (
        <EmptyState title="Nothing was deleted recently">Tags and images deleted from the GUI, the registry API, the CLI or by retention show up here for {keep}.</EmptyState>
      ) : (
        <Paper withBorder>
          <Table aria-label="Recently deleted" data-testid="trash-table" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Tag or image</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>When and how</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th ta="right">Held</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((item) => (
                <TrashRow key={item.id} item={item} busy={restore.isPending && restoring(restore.variables) === item.id} onRestore={() => doRestore(item)} error={failed?.id === item.id ? failed.error : null} />
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {pages > 1 && (
        <Group justify="space-between">
          <Text size="sm" c="dimmed" data-testid="trash-range">
            {((current - 1) * TRASH_PAGE + 1).toLocaleString()}–{Math.min(current * TRASH_PAGE, listing.items.length).toLocaleString()} of {count(listing.items.length, 'item')}
          </Text>
          <Pagination total={pages} value={current} onChange={setPage} aria-label="Pages of the trash" />
        </Group>
      )}
      <EmptyTrashModal listing={listing} opened={emptying} onClose={() => setEmptying(false)} />
    </Stack>
  );
}

/** The id a restore in flight is about. */
const restoring = (args: unknown) => (args && typeof args === 'object' && 'id' in args ? String(args.id) : null);

function TrashRow({ item, busy, onRestore, error }: { item: TrashItem; busy: boolean; onRestore: () => void; error: unknown }) {
  const ref = itemReference(item);
  return (
    <>
      <Table.Tr data-testid="trash-row" data-id={item.id} data-reference={ref}>
        <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }} title={`${item.repository}@${item.digest}${item.tags.length ? ` (${item.tags.join(', ')})` : ''}`}>
          {ref}
        </Table.Td>
        <Table.Td>
          <Badge variant="light" color={item.kind === 'tag' ? 'blue' : 'grape'}>
            {item.kind === 'tag' ? 'tag' : 'image'}
          </Badge>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{formatDate(item.deletedAt)}</Text>
          <Text size="xs" c="dimmed" data-testid="trash-source">
            {itemSource(item)}
          </Text>
        </Table.Td>
        <Table.Td>{formatDate(item.expiresAt)}</Table.Td>
        <Table.Td ta="right" title={`${item.heldBytes.toLocaleString()} bytes held of ${item.bytes.toLocaleString()} it needs`} data-testid="trash-held">
          {formatBytes(item.heldBytes)}
        </Table.Td>
        <Table.Td>
          <Button size="xs" variant="default" onClick={onRestore} loading={busy} aria-label={`Restore ${ref}`} data-testid="trash-restore">
            Restore
          </Button>
        </Table.Td>
      </Table.Tr>
      {error !== null && (
        <Table.Tr>
          <Table.Td colSpan={6}>
            <RestoreError error={error} />
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

/** A refused restore in words (`data-testid="trash-restore-error"`). */
function RestoreError({ error }: { error: unknown }) {
  const text = describeError(error);
  const help = RESTORE_HELP[errorCode(error) ?? ''];
  return (
    <Alert color="red" title={text.title} role="alert" data-testid="trash-restore-error">
      {text.message}
      {help ? `. ${help}` : ''}
    </Alert>
  );
}

function EmptyTrashModal({ listing, opened, onClose }: { listing: TrashListing; opened: boolean; onClose: () => void }) {
  const empty = useEmptyTrash();
  const ids = listing.items.map((i) => i.id);
  const confirm = () =>
    // The items named, not "everything": one deleted after the dialog opened stays.
    empty.mutate(
      { ids },
      {
        onSuccess: (r) => {
          notifications.show({ color: 'green', title: 'Trash emptied', message: `${count(r.removed, 'item')} removed for good; a garbage collection can now free ${formatBytes(r.heldBytes)}.` });
          onClose();
        },
      },
    );
  return (
    <Modal opened={opened} onClose={onClose} title="Empty the trash?">
      <Stack>
        <Text size="sm" data-testid="trash-empty-text">
          {count(listing.totals.items, 'item')} ({formatBytes(listing.totals.heldBytes)} held) leave the trash for good: they can no longer be restored, and the next garbage collection frees
          their space.
        </Text>
        {empty.isError && <ErrorAlert error={empty.error} title="The trash could not be emptied" />}
        <ConfirmButtons confirmLabel={`Empty ${count(ids.length, 'item')}`} onCancel={onClose} onConfirm={confirm} busy={empty.isPending} testId="trash-empty-confirm" autoFocus />
      </Stack>
    </Modal>
  );
}
