/**
 * The image screen's Layers tab (dive's view): each layer of one platform with what built it, its
 * size and the bytes it wastes, and for the layer chosen its added, modified and deleted entries
 * (virtualized). Foreign layers and the layers' warnings are shown as the server reports them.
 */
import { Alert, Badge, Box, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ChangeKind, LayerChanges } from '../../../../../src-server/contract';
import { ErrorAlert, Loading } from '../../../app/common';
import { count, formatBytes, shortDigest } from '../../../app/format';
import { KIND_COLOR } from '../format';
import { useImageLayers } from '../queries';
import type { ContentsTabProps } from './FilesTab';
import { PlatformPicker, readablePlatforms } from './PlatformPicker';
import { VirtualRows } from './VirtualRows';

/** The Layers tab. */
export function LayersTab({ image, platforms }: ContentsTabProps) {
  const choices = readablePlatforms(platforms);
  const [platform, setPlatform] = useState<string | undefined>(choices.length > 1 ? choices[0] : undefined);
  const layers = useImageLayers({ ...image, platform });
  const [chosen, setChosen] = useState(0);
  return (
    <Stack gap="sm" data-testid="layers-tab">
      <PlatformPicker platforms={choices} value={platform} onChange={(p) => (setPlatform(p), setChosen(0))} testId="layers-platform" />
      {layers.isPending ? (
        <Loading label="Reading the layers…" />
      ) : layers.isError ? (
        <ErrorAlert error={layers.error} />
      ) : (
        <>
          <Text size="sm" c="dimmed" data-testid="layers-summary">
            {count(layers.data.layers.length, 'layer')} · {formatBytes(layers.data.wasted)} wasted in all (files a later layer overwrites or deletes)
          </Text>
          {layers.data.warnings.length > 0 && (
            <Alert color="yellow" title={count(layers.data.warnings.length, 'warning')} data-testid="layers-warnings">
              {layers.data.warnings.slice(0, 20).map((w) => (
                <Text key={w} size="sm">
                  {w}
                </Text>
              ))}
            </Alert>
          )}
          <LayerTable layers={layers.data.layers} chosen={chosen} onChoose={setChosen} />
          {layers.data.layers[chosen] && <LayerDetail key={chosen} layer={layers.data.layers[chosen]} />}
        </>
      )}
    </Stack>
  );
}

function LayerTable({ layers, chosen, onChoose }: { layers: LayerChanges[]; chosen: number; onChoose: (i: number) => void }) {
  return (
    <Table highlightOnHover data-testid="layers-table" verticalSpacing={4}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>#</Table.Th>
          <Table.Th>Created by</Table.Th>
          <Table.Th ta="right">Size</Table.Th>
          <Table.Th ta="right">Changes</Table.Th>
          <Table.Th ta="right">Wasted</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {layers.map((l, i) => (
          <Table.Tr
            key={`${l.digest}-${i}`}
            onClick={() => onChoose(i)}
            style={{ cursor: 'pointer' }}
            bg={i === chosen ? 'var(--mantine-color-default-hover)' : undefined}
            aria-selected={i === chosen}
            data-testid="layer-row"
            tabIndex={0}
            onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onChoose(i)}
          >
            <Table.Td>{l.index}</Table.Td>
            <Table.Td maw={420}>
              <Group gap={6} wrap="nowrap">
                <Text size="sm" ff="monospace" truncate="end" title={l.createdBy ?? undefined}>
                  {l.createdBy ?? shortDigest(l.digest)}
                </Text>
                {l.foreign && (
                  <Badge size="xs" color="gray" data-testid="layer-foreign">
                    foreign
                  </Badge>
                )}
                {l.warnings.length > 0 && (
                  <Badge size="xs" color="yellow">
                    {count(l.warnings.length, 'warning')}
                  </Badge>
                )}
              </Group>
            </Table.Td>
            <Table.Td ta="right">{formatBytes(l.size)}</Table.Td>
            <Table.Td ta="right">
              <Text size="sm" span c="green">
                +{l.added}
              </Text>{' '}
              <Text size="sm" span c="yellow.7">
                ~{l.modified}
              </Text>{' '}
              <Text size="sm" span c="red">
                −{l.deleted}
              </Text>
            </Table.Td>
            <Table.Td ta="right" data-testid="layer-wasted">
              {formatBytes(l.wasted)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

type KindFilter = 'all' | ChangeKind;

function LayerDetail({ layer }: { layer: LayerChanges }) {
  const [kind, setKind] = useState<KindFilter>('all');
  const changes = kind === 'all' ? layer.changes : layer.changes.filter((c) => c.kind === kind);
  return (
    <Stack gap="xs" data-testid="layer-detail">
      <Group justify="space-between">
        <Title order={5}>
          Layer {layer.index} · {shortDigest(layer.digest)}
        </Title>
        <Text size="xs" c="dimmed">
          {layer.mediaType} · {formatBytes(layer.size)} compressed{layer.uncompressedSize !== null ? ` · ${formatBytes(layer.uncompressedSize)} as tar` : ''}
        </Text>
      </Group>
      {layer.foreign ? (
        <Text c="dimmed" data-testid="layer-foreign-note">
          A foreign layer: it lives outside the registry and is never fetched, so its files are unknown.
        </Text>
      ) : (
        <>
          {layer.warnings.map((w) => (
            <Text key={w} size="sm" c="yellow.8">
              {w}
            </Text>
          ))}
          <SegmentedControl
            size="xs"
            value={kind}
            onChange={(v) => setKind(v as KindFilter)}
            data={[
              { value: 'all', label: `All ${layer.changes.length}` },
              { value: 'added', label: `Added ${layer.added}` },
              { value: 'modified', label: `Modified ${layer.modified}` },
              { value: 'deleted', label: `Deleted ${layer.deleted}` },
            ]}
            aria-label="Which changes"
            w="fit-content"
          />
          {changes.length === 0 ? (
            <Text c="dimmed">No change of this kind.</Text>
          ) : (
            <VirtualRows
              items={changes}
              rowKey={(c) => `${c.kind}:${c.path}`}
              testId="layer-changes"
              label={`Changes of layer ${layer.index}`}
              height={400}
              render={(c) => (
                <Box data-testid="change-row" data-path={c.path} data-kind={c.kind} style={{ display: 'grid', gridTemplateColumns: '90px minmax(0,1fr) 70px 90px', alignItems: 'center', gap: 8, height: '100%', paddingInline: 6 }}>
                  <Badge size="sm" variant="light" color={KIND_COLOR[c.kind]}>
                    {c.kind}
                  </Badge>
                  <Text size="sm" ff="monospace" truncate="end" title={c.path} td={c.kind === 'deleted' ? 'line-through' : undefined}>
                    {c.path}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {c.type}
                  </Text>
                  <Text size="xs" c="dimmed" ta="right">
                    {formatBytes(c.size)}
                  </Text>
                </Box>
              )}
            />
          )}
        </>
      )}
    </Stack>
  );
}
