/**
 * The diff of two images as the server computed it: what each side is, the size delta, the layers
 * they share, config changes, and the files added, removed and changed with what changed about
 * each (virtualized, filtered by kind).
 */
import { Alert, Badge, Box, Group, Paper, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ContentsDiffArgs, ContentsImage, DiffLayer, FileDiff, ImageDiff } from '../../../../../src-server/contract';
import { ErrorAlert, Loading } from '../../../app/common';
import { count, formatBytes, shortDigest } from '../../../app/format';
import { formatDelta, formatMode, KIND_COLOR } from '../format';
import { useImageDiff } from '../queries';
import { VirtualRows } from './VirtualRows';

/** The diff of `args`. */
export function CompareView({ args }: { args: ContentsDiffArgs }) {
  const diff = useImageDiff(args);
  if (diff.isPending) return <Loading label="Reading both images… (each layer is read once, then cached)" />;
  if (diff.isError) return <ErrorAlert error={diff.error} title="The images could not be compared" />;
  return <DiffResult args={args} diff={diff.data} />;
}

function Side({ title, image, name }: { title: string; image: ContentsImage; name: string }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>
        {title}: {name}
      </Text>
      <Text size="xs" c="dimmed" ff="monospace" title={image.digest}>
        {shortDigest(image.digest)}
        {image.platform ? ` · ${image.platform}` : ''}
      </Text>
    </Stack>
  );
}

const refName = (r: ContentsDiffArgs['left']) => `${r.repository}:${r.reference}`;

function DiffResult({ args, diff }: { args: ContentsDiffArgs; diff: ImageDiff }) {
  const added = diff.files.filter((f) => f.kind === 'added').length;
  const removed = diff.files.filter((f) => f.kind === 'removed').length;
  const changed = diff.files.length - added - removed;
  return (
    <Stack gap="md" data-testid="compare-result">
      <Paper withBorder p="sm">
        <SimpleGrid cols={3}>
          <Side title="Left" image={diff.left} name={refName(args.left)} />
          <Side title="Right" image={diff.right} name={refName(args.right)} />
          <Stack gap={2} data-testid="compare-size">
            <Text size="sm" fw={600}>
              Size {formatDelta(diff.size.delta)}
            </Text>
            <Text size="xs" c="dimmed">
              {formatBytes(diff.size.left)} → {formatBytes(diff.size.right)} (compressed config and layers)
            </Text>
          </Stack>
        </SimpleGrid>
      </Paper>
      {diff.warnings.length > 0 && (
        <Alert color="yellow" title={count(diff.warnings.length, 'warning')}>
          {diff.warnings.slice(0, 20).map((w) => (
            <Text key={w} size="sm">
              {w}
            </Text>
          ))}
        </Alert>
      )}
      <Text size="sm" data-testid="compare-counts">
        {count(diff.files.length, 'path')} differ: {added} added · {removed} removed · {changed} changed · {count(diff.config.length, 'config change')}
      </Text>
      <Layers layers={diff.layers} />
      {diff.config.length > 0 && <ConfigChanges diff={diff} />}
      <Files files={diff.files} />
    </Stack>
  );
}

function Layers({ layers }: { layers: ImageDiff['layers'] }) {
  const sum = (l: DiffLayer[]) => formatBytes(l.reduce((a, b) => a + b.size, 0));
  const list = (l: DiffLayer[]) => l.map((x) => shortDigest(x.digest)).join(', ') || 'none';
  return (
    <Stack gap={4} data-testid="compare-layers">
      <Title order={5}>Layers</Title>
      <Text size="sm">
        {count(layers.shared.length, 'layer')} shared ({sum(layers.shared)}) · {layers.leftOnly.length} only left ({sum(layers.leftOnly)}) · {layers.rightOnly.length} only right ({sum(layers.rightOnly)})
      </Text>
      <Text size="xs" c="dimmed" ff="monospace">
        only left: {list(layers.leftOnly)} · only right: {list(layers.rightOnly)}
      </Text>
    </Stack>
  );
}

function ConfigChanges({ diff }: { diff: ImageDiff }) {
  return (
    <Stack gap={4}>
      <Title order={5}>Config</Title>
      <Table data-testid="compare-config" verticalSpacing={2}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th>Left</Table.Th>
            <Table.Th>Right</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {diff.config.map((c, i) => (
            <Table.Tr key={`${c.field}-${c.key ?? ''}-${i}`}>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {c.field}
                  {c.key !== undefined ? ` ${c.key}` : ''}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace" c={c.left === null ? 'dimmed' : undefined} style={{ overflowWrap: 'anywhere' }}>
                  {c.left ?? '(none)'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace" c={c.right === null ? 'dimmed' : undefined} style={{ overflowWrap: 'anywhere' }}>
                  {c.right ?? '(none)'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

type KindFilter = 'all' | FileDiff['kind'];

function sideText(f: FileDiff): string {
  const l = f.left;
  const r = f.right;
  if (l && r) {
    const mode = l.mode !== r.mode ? ` · ${formatMode(l.type, l.mode)} → ${formatMode(r.type, r.mode)}` : '';
    return `${formatBytes(l.size)} → ${formatBytes(r.size)}${mode}`;
  }
  return formatBytes((r ?? l)?.size ?? 0);
}

function Files({ files }: { files: FileDiff[] }) {
  const [kind, setKind] = useState<KindFilter>('all');
  const shown = kind === 'all' ? files : files.filter((f) => f.kind === kind);
  const n = (k: FileDiff['kind']) => files.filter((f) => f.kind === k).length;
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Title order={5}>Files</Title>
        <SegmentedControl
          size="xs"
          value={kind}
          onChange={(v) => setKind(v as KindFilter)}
          aria-label="Which files"
          data={[
            { value: 'all', label: `All ${files.length}` },
            { value: 'added', label: `Added ${n('added')}` },
            { value: 'removed', label: `Removed ${n('removed')}` },
            { value: 'changed', label: `Changed ${n('changed')}` },
          ]}
        />
      </Group>
      {shown.length === 0 ? (
        <Text c="dimmed">{files.length === 0 ? 'The two images hold the same files.' : 'No file of this kind.'}</Text>
      ) : (
        <VirtualRows
          items={shown}
          rowKey={(f) => `${f.kind}:${f.path}`}
          testId="compare-files"
          label="Files that differ"
          height={440}
          render={(f) => (
            <Box data-testid="diff-row" data-path={f.path} data-kind={f.kind} style={{ display: 'grid', gridTemplateColumns: '84px minmax(0,1fr) auto 220px', alignItems: 'center', gap: 8, height: '100%', paddingInline: 6 }}>
              <Badge size="sm" variant="light" color={KIND_COLOR[f.kind]}>
                {f.kind}
              </Badge>
              <Text size="sm" ff="monospace" truncate="end" title={f.path}>
                {f.path}
              </Text>
              <Group gap={4} wrap="nowrap">
                {f.aspects.map((a) => (
                  <Badge key={a} size="xs" variant="outline" color="gray">
                    {a}
                  </Badge>
                ))}
              </Group>
              <Text size="xs" c="dimmed" ta="right" truncate="end">
                {sideText(f)}
              </Text>
            </Box>
          )}
        />
      )}
    </Stack>
  );
}
