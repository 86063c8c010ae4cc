/** The warning before a copy replaces what a tag holds: both digests in full, and what each image is. */
import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import type { CopyPreview } from '../../../../../src-server/contract';
import { describeManifest } from './copyProgress';

/** Asks to confirm replacing `preview.destination` by `preview.source` under `where` (`repo:tag on Connection`). */
export function CopyOverwriteWarning({ preview, where, onConfirm, onBack }: { preview: CopyPreview; where: string; onConfirm: () => void; onBack: () => void }) {
  const current = preview.destination!;
  return (
    <Alert color="orange" title={`${where} holds another image`} data-testid="copy-overwrite-warning">
      <Stack gap="xs">
        <Text size="sm">The copy would replace it. Anyone pulling this tag gets the new image afterwards.</Text>
        <div data-testid="copy-overwrite-current">
          <Text size="sm" fw={500}>
            Now: {describeManifest(current)}
          </Text>
          <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {current.digest}
          </Text>
        </div>
        <div data-testid="copy-overwrite-new">
          <Text size="sm" fw={500}>
            After the copy: {describeManifest(preview.source)}
          </Text>
          <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {preview.source.digest}
          </Text>
        </div>
        <Group justify="flex-end">
          <Button variant="default" onClick={onBack}>
            Back
          </Button>
          <Button color="red" onClick={onConfirm} data-testid="copy-confirm-overwrite">
            Replace it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
