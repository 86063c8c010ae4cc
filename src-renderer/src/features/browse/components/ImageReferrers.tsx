/** Manifests that refer to the image (signatures, SBOMs, attestations), each opening in the viewer. */
import { Button, Code, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ImageDetails } from '../../../../../src-server/contract';
import { formatBytes, shortDigest } from '../../../app/format';
import { ReferrerViewer } from './ReferrerViewer';

/** The referrers section (`aria-label="Referrers"`). */
export function ImageReferrers({ image }: { image: ImageDetails }) {
  const [open, setOpen] = useState<string | null>(null);
  const chosen = image.referrers.find((r) => r.digest === open);
  return (
    <Stack gap="xs" component="section" aria-label="Referrers" data-testid="referrers-section">
      <Title order={3}>Referrers</Title>
      {!image.referrersSupported ? (
        <Text c="dimmed" data-testid="referrers-unsupported">
          This registry has no referrers API (and no fallback tag), so signatures and attestations attached to this image cannot be listed.
        </Text>
      ) : image.referrers.length === 0 ? (
        <Text c="dimmed" data-testid="referrers-none">
          None: no signature, SBOM or attestation refers to this image.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="Referrers table" data-testid="referrers-table" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Artifact type</Table.Th>
                <Table.Th>Media type</Table.Th>
                <Table.Th>Digest</Table.Th>
                <Table.Th ta="right">Size</Table.Th>
                <Table.Th>Annotations</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {image.referrers.map((r) => (
                <Table.Tr key={r.digest}>
                  <Table.Td className="berth-value">{r.artifactType ?? '—'}</Table.Td>
                  <Table.Td>
                    <Text size="xs" className="berth-value">
                      {r.mediaType}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace" title={r.digest}>
                      {shortDigest(r.digest)}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{formatBytes(r.size)}</Table.Td>
                  <Table.Td>
                    {Object.keys(r.annotations).length === 0 ? (
                      '—'
                    ) : (
                      <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                        {Object.entries(r.annotations)
                          .map(([k, v]) => `${k}=${v}`)
                          .join('\n')}
                      </Code>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="light" onClick={() => setOpen(r.digest)} aria-label={`View referrer ${shortDigest(r.digest)}`} data-testid="referrer-view">
                      View
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ReferrerViewer
        connection={image.connection}
        repository={image.repository}
        digest={open}
        title={chosen ? `Referrer: ${chosen.artifactType ?? chosen.mediaType}` : 'Referrer'}
        onClose={() => setOpen(null)}
      />
    </Stack>
  );
}
