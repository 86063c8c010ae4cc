/**
 * Importing a dropped archive into the local registry: the file's name and size, an optional
 * repository to put every image into, Import, the progress (the upload, then the import), Cancel,
 * and the report per image (imported as repo:tag, or failed with its message). Images the user may
 * not push fail alone, as the server answers.
 */
import { Alert, Button, Group, Modal, Progress, Stack, Table, Text, TextInput } from '@mantine/core';
import { useRef, useState } from 'react';
import type { ArchiveImportReport } from '../../../../../src-server/contract';
import { useApi } from '../../../api/context';
import { errorCode } from '../../../api/errors';
import { ErrorAlert } from '../../../app/common';
import { formatBytes, shortDigest } from '../../../app/format';
import { useImportArchive, useTransferProgress } from '../queries';
import { TransferProgressLine } from './TransferProgressLine';

/** The dialog for `file` (null: closed). */
export function ImportArchiveModal({ file, onClose }: { file: File | null; onClose(): void }) {
  return (
    <Modal opened={file !== null} onClose={onClose} title="Import an archive into the local registry" size="lg">
      {file && <ImportForm key={`${file.name}|${file.size}|${file.lastModified}`} file={file} onClose={onClose} />}
    </Modal>
  );
}

function ImportForm({ file, onClose }: { file: File; onClose(): void }) {
  const api = useApi();
  const [to, setTo] = useState('');
  const [operationId, setOperationId] = useState<string | null>(null);
  const [sent, setSent] = useState(0);
  const abort = useRef<AbortController | null>(null);
  const progress = useTransferProgress(operationId);
  const run = useImportArchive();

  const start = () => {
    const id = crypto.randomUUID();
    const controller = new AbortController();
    abort.current = controller;
    setOperationId(id);
    setSent(0);
    run.mutate({ file, to, operationId: id, signal: controller.signal, onSent: setSent });
  };
  const cancel = () => {
    abort.current?.abort();
    // Over IPC nothing is uploaded: the running import is stopped by its id.
    if (!api.uploadArchive && operationId) void api.invoke('transfer:cancel', { operationId }).catch(() => undefined);
  };
  const uploading = run.isPending && api.uploadArchive !== undefined && sent < file.size;

  return (
    <Stack gap="sm" data-testid="import-form">
      <Text size="sm" data-testid="import-file">
        <Text span ff="monospace">
          {file.name}
        </Text>{' '}
        · {formatBytes(file.size)}
      </Text>
      <TextInput
        label="Into repository (optional)"
        description="Every image goes there, its tag kept; needed for images the archive does not name"
        placeholder="team/app"
        value={to}
        onChange={(e) => setTo(e.currentTarget.value)}
        disabled={run.isPending || run.isSuccess}
        data-testid="import-to"
      />
      {run.isPending &&
        (uploading ? (
          <Stack gap={4} data-testid="import-upload">
            <Progress value={(100 * sent) / Math.max(1, file.size)} aria-label="Uploading" />
            <Text size="sm">
              Uploading {formatBytes(sent)} of {formatBytes(file.size)}
            </Text>
          </Stack>
        ) : (
          <TransferProgressLine progress={progress} label="Reading the archive…" />
        ))}
      {run.isError &&
        (errorCode(run.error) === 'CANCELLED' ? (
          <Alert color="yellow" title="Cancelled" data-testid="import-cancelled">
            The import was stopped; images it had finished are in the registry.
          </Alert>
        ) : (
          <ErrorAlert error={run.error} title="The import failed" />
        ))}
      {run.data && <ImportReport report={run.data} />}
      <Group justify="flex-end">
        {run.isPending ? (
          <Button variant="default" color="red" onClick={cancel} data-testid="import-cancel">
            Cancel
          </Button>
        ) : (
          <Button variant="default" onClick={onClose} data-testid="import-close">
            {run.isSuccess ? 'Close' : 'Cancel'}
          </Button>
        )}
        {!run.isSuccess && (
          <Button onClick={start} loading={run.isPending} data-testid="import-start">
            Import
          </Button>
        )}
      </Group>
    </Stack>
  );
}

/** Per image: where it went, or why it failed. */
export function ImportReport({ report }: { report: ArchiveImportReport }) {
  return (
    <Stack gap="xs" data-testid="import-report">
      <Alert color={report.failed > 0 ? 'orange' : 'green'} title={report.failed > 0 ? 'Imported with failures' : 'Imported'} data-testid="import-summary">
        {report.imported} imported, {report.failed} failed, from a{report.format === 'oci' ? 'n OCI' : ' docker'} archive.
      </Alert>
      <Table verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>In the archive</Table.Th>
            <Table.Th>Result</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.images.map((i, n) => (
            <Table.Tr key={`${i.name}|${n}`} data-testid="import-image" data-ok={i.ok}>
              <Table.Td ff="monospace">{i.name}</Table.Td>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>
                {i.ok ? (
                  <Text size="sm">
                    imported as{' '}
                    <Text span ff="monospace" data-testid="import-target">
                      {i.target}
                    </Text>{' '}
                    <Text span c="dimmed" ff="monospace">
                      {shortDigest(i.digest)}
                    </Text>
                  </Text>
                ) : (
                  <Text size="sm" c="red" data-testid="import-error">
                    failed: {i.error?.message ?? 'unknown error'}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
