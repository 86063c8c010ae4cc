/**
 * "Export selected tags…": the selected tags of a local repository as one archive. OCI keeps every
 * platform and the referrers; Docker (what `docker load` reads) holds one platform per image, chosen
 * here among the selected images' platforms. In a browser the archive is a download the server
 * writes and streams; in the desktop app the main process asks where to save it.
 */
import { Alert, Button, Group, Modal, Radio, Select, Stack, Table, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { TagSummary } from '../../../../../src-server/contract';
import { useApi } from '../../../api/context';
import { errorCode } from '../../../api/errors';
import { ErrorAlert } from '../../../app/common';
import { count, formatBytes, shortDigest } from '../../../app/format';
import { useDesktopExport, useTransferProgress } from '../queries';
import { TransferProgressLine } from './TransferProgressLine';

/** Props of {@link ExportArchiveModal}. */
export interface ExportArchiveModalProps {
  repository: string;
  /** The selected tags (null: closed). */
  tags: TagSummary[] | null;
  onClose(): void;
}

/** The dialog. */
export function ExportArchiveModal({ repository, tags, onClose }: ExportArchiveModalProps) {
  return (
    <Modal opened={tags !== null} onClose={onClose} title={`Export ${tags ? count(tags.length, 'tag') : ''} of ${repository}`} size="lg">
      {tags && <ExportForm repository={repository} tags={tags} onClose={onClose} />}
    </Modal>
  );
}

/** The platforms the selected images hold, `linux/amd64` first when there. */
export function platformsOf(tags: TagSummary[]): string[] {
  const all = [...new Set(tags.flatMap((t) => t.platforms))].sort();
  return all.includes('linux/amd64') ? ['linux/amd64', ...all.filter((p) => p !== 'linux/amd64')] : all;
}

/** Has the browser save what `url` answers, as a click on a download link would. */
function startDownload(url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function ExportForm({ repository, tags, onClose }: { repository: string; tags: TagSummary[]; onClose(): void }) {
  const api = useApi();
  const [format, setFormat] = useState<'oci' | 'docker'>('oci');
  const platforms = useMemo(() => platformsOf(tags), [tags]);
  const [platform, setPlatform] = useState<string | null>(platforms[0] ?? null);
  const [operationId, setOperationId] = useState<string | null>(null);
  const [link, setLink] = useState<string | null>(null);
  const progress = useTransferProgress(operationId);
  const desktop = useDesktopExport();
  const images = tags.map((t) => `${repository}:${t.name}`);
  const request = { images, format, ...(format === 'docker' && platform ? { platform } : {}) };
  const multi = tags.some((t) => t.platforms.length > 1);

  const start = () => {
    const id = crypto.randomUUID();
    setOperationId(id);
    if (api.archiveExportUrl) {
      const url = api.archiveExportUrl({ ...request, operationId: id });
      setLink(url);
      startDownload(url);
    } else desktop.mutate({ ...request, operationId: id });
  };
  const cancelled = desktop.isError && errorCode(desktop.error) === 'CANCELLED';

  return (
    <Stack gap="sm" data-testid="export-form">
      <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }} data-testid="export-images">
        {images.join(', ')}
      </Text>
      <Radio.Group label="Format" value={format} onChange={(v) => setFormat(v === 'docker' ? 'docker' : 'oci')}>
        <Stack gap={6} mt={4}>
          <Radio value="oci" label="OCI archive: every platform, with referrers (signatures, SBOMs)" data-testid="export-format-oci" />
          <Radio value="docker" label="Docker archive (docker load, podman load): one platform per image, no referrers" data-testid="export-format-docker" />
        </Stack>
      </Radio.Group>
      {format === 'docker' && platforms.length > 0 && (
        <Select
          label="Platform"
          description={multi ? 'Multi-platform images are written for this platform only' : undefined}
          data={platforms}
          value={platform}
          onChange={setPlatform}
          allowDeselect={false}
          data-testid="export-platform"
        />
      )}
      {link && (
        <Alert color="blue" title="The download starts once the archive is written" data-testid="export-started">
          <Stack gap="xs">
            <Text size="sm">Your browser saves {images.length === 1 ? `${repository.replace(/[^A-Za-z0-9._-]/g, '_')}-${tags[0]!.name}.tar` : 'images.tar'}. If it does not, use the link again.</Text>
            <TransferProgressLine progress={progress} label="Writing the archive…" />
          </Stack>
        </Alert>
      )}
      {desktop.isPending && <TransferProgressLine progress={progress} label="Writing the archive…" />}
      {desktop.isError && !cancelled && <ErrorAlert error={desktop.error} title="The export failed" />}
      {desktop.data && (
        <Alert color="green" title="Exported" data-testid="export-report">
          <Stack gap="xs">
            <Text size="sm">
              {desktop.data.path} · {formatBytes(desktop.data.bytes)}
              {desktop.data.leftOut > 0 ? ` · ${count(desktop.data.leftOut, 'referrer')} left out (a docker archive cannot hold them)` : ''}
            </Text>
            <Table verticalSpacing={2}>
              <Table.Tbody>
                {desktop.data.images.map((i) => (
                  <Table.Tr key={i.name}>
                    <Table.Td ff="monospace">{i.name}</Table.Td>
                    <Table.Td ff="monospace">{shortDigest(i.digest)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {desktop.data || link ? 'Close' : 'Cancel'}
        </Button>
        {api.archiveExportUrl ? (
          link ? (
            <Button component="a" href={link} download data-testid="export-download">
              Download again
            </Button>
          ) : (
            <Button onClick={start} disabled={format === 'docker' && platforms.length > 0 && !platform} data-testid="export-start">
              Download
            </Button>
          )
        ) : (
          <Button onClick={start} loading={desktop.isPending} disabled={desktop.isSuccess || (format === 'docker' && platforms.length > 0 && !platform)} data-testid="export-start">
            Save as…
          </Button>
        )}
      </Group>
    </Stack>
  );
}
