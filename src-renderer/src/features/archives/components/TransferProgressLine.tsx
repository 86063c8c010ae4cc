/** A copy, export or import as it goes (`transfer:progress`): images done, bytes, rate, the image now. */
import { Progress, Stack, Text } from '@mantine/core';
import type { TransferProgress } from '../../../../../src-server/contract';
import { formatBytes } from '../../../app/format';

/** The line (`data-testid="transfer-progress"`); `label` says what is going on before the first event. */
export function TransferProgressLine({ progress, label }: { progress: TransferProgress | null; label: string }) {
  const share = progress && progress.bytesTotal > 0 ? (100 * progress.bytesDone) / progress.bytesTotal : 0;
  return (
    <Stack gap={4} data-testid="transfer-progress">
      <Progress value={share} animated={!progress} aria-label={label} />
      <Text size="sm" data-testid="transfer-progress-text">
        {progress
          ? `${progress.imagesDone} of ${progress.imagesTotal} images · ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}${progress.bytesPerSecond !== null ? ` at ${formatBytes(progress.bytesPerSecond)}/s` : ''}`
          : label}
      </Text>
      {progress && (
        <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {progress.image}
        </Text>
      )}
    </Stack>
  );
}
