/** The start of one file of an image as text, or why there is none, with its download. */
import { Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ContentsRef } from '../../../../../src-server/contract';
import { ErrorAlert, Loading } from '../../../app/common';
import { formatBytes } from '../../../app/format';
import { useFilePreview } from '../queries';
import type { PathDownload } from './FileRow';

/** Props of {@link FilePreviewPanel}. */
export interface FilePreviewPanelProps {
  image: ContentsRef;
  path: string;
  download: PathDownload | null;
  onClose: () => void;
}

/** A file's preview. */
export function FilePreviewPanel({ image, path, download, onClose }: FilePreviewPanelProps) {
  const preview = useFilePreview(image, path);
  return (
    <Paper withBorder p="sm" data-testid="file-preview" style={{ minWidth: 0 }}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Title order={5} ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {path}
          </Title>
          <Group gap="xs" wrap="nowrap">
            {download &&
              ('href' in download ? (
                <Button component="a" href={download.href(path)} download size="compact-sm" variant="light" data-testid="preview-download">
                  Download
                </Button>
              ) : (
                <Button size="compact-sm" variant="light" data-testid="preview-download" onClick={() => download.save(path, path.split('/').pop() ?? path)}>
                  Save…
                </Button>
              ))}
            <Button size="compact-sm" variant="default" onClick={onClose} aria-label="Close the preview">
              Close
            </Button>
          </Group>
        </Group>
        {preview.isPending ? (
          <Loading label="Reading the file from its layer…" />
        ) : preview.isError ? (
          <ErrorAlert error={preview.error} title="The file could not be read" />
        ) : (
          <>
            <Text size="xs" c="dimmed" data-testid="preview-size">
              {formatBytes(preview.data.size)}
              {preview.data.truncated && preview.data.text !== null ? ' · only the beginning is shown' : ''}
            </Text>
            {preview.data.text === null ? (
              <Text c="dimmed" data-testid="preview-binary">
                This is not a text file: nothing to preview{download ? ', download it instead' : ''}.
              </Text>
            ) : (
              <Code block data-testid="preview-text" style={{ maxHeight: 460, overflow: 'auto', whiteSpace: 'pre' }}>
                {preview.data.text}
              </Code>
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}
