/**
 * A delete plan image by image, on demand: collapsed at first, then ten images a page, each with
 * its digest, the tags that go, those that go with its manifest and those that stay (long lists
 * cut short), so that 1,000 tags keep the dialog small.
 */
import { Badge, Button, Code, Group, Pagination, Paper, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { TagsDeleteImage } from '../../../../../src-server/contract';
import { CopyIconButton } from '../../../app/common';
import { count, shortDigest } from '../../../app/format';
import { someNames } from './DeletePlanSummary';

/** Images per page of the details. */
const PER_PAGE = 10;

const OUTCOME: Record<TagsDeleteImage['outcome'], { label: string; color: string }> = {
  tagged: { label: 'keeps other tags', color: 'gray' },
  untagged: { label: 'left untagged', color: 'orange' },
  deleted: { label: 'deleted', color: 'red' },
};

/** The toggle and, when open, the current page of images. */
export function DeletePlanDetails({ images }: { images: TagsDeleteImage[] }) {
  const [open, setOpen] = useState(false);
  const [page, setPage] = useState(1);
  const pages = Math.ceil(images.length / PER_PAGE);
  const shown = images.slice((page - 1) * PER_PAGE, page * PER_PAGE);
  if (images.length === 0) return null;
  return (
    <Stack gap="xs">
      <Group>
        <Button variant="subtle" size="compact-sm" onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="delete-details-toggle">
          {open ? 'Hide details' : `Show details (${count(images.length, 'image')})`}
        </Button>
      </Group>
      {open && (
        <Stack gap="xs" data-testid="delete-details">
          {shown.map((image) => (
            <ImageRow key={image.digest} image={image} />
          ))}
          {pages > 1 && <Pagination size="sm" total={pages} value={page} onChange={setPage} aria-label="Pages of images" />}
        </Stack>
      )}
    </Stack>
  );
}

function ImageRow({ image }: { image: TagsDeleteImage }) {
  const outcome = OUTCOME[image.outcome];
  return (
    <Paper withBorder p="xs" data-testid="delete-image" data-digest={image.digest}>
      <Stack gap={2}>
        <Group gap={6} wrap="nowrap">
          <Code title={image.digest}>{shortDigest(image.digest)}</Code>
          <CopyIconButton value={image.digest} label={`Copy digest ${shortDigest(image.digest)}`} tooltip="Copy digest" />
          <Badge size="sm" variant="light" color={outcome.color} tt="none">
            {outcome.label}
          </Badge>
        </Group>
        <Text size="sm" ff="monospace" data-testid="delete-image-tags">
          Deleted: {someNames(image.tags)}
        </Text>
        {image.alsoDeleted.length > 0 && (
          <Text size="sm" ff="monospace" c="orange" data-testid="delete-image-also">
            Deleted with it: {someNames(image.alsoDeleted)}
          </Text>
        )}
        {image.kept.length > 0 && (
          <Text size="sm" ff="monospace" c="dimmed" data-testid="delete-image-kept">
            Stays: {someNames(image.kept)}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
