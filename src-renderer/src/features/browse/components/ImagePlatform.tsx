/** One platform of an image: sizes (shared vs unique), config summary, layers and history. */
import { Badge, Code, Group, Paper, Progress, SimpleGrid, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ImageConfigSummary, PlatformDetails } from '../../../../../src-server/contract';
import { formatBytes, formatDate, shortDigest } from '../../../app/format';
import { CopyIconButton } from '../../../app/common';

/** Everything about one platform (the content of its tab). */
export function ImagePlatform({ platform }: { platform: PlatformDetails }) {
  return (
    <Stack gap="lg" data-testid="platform-panel">
      <ImageSizes platform={platform} />
      {platform.artifactType && (
        <Text size="sm">
          Artifact type: <Code>{platform.artifactType}</Code>
        </Text>
      )}
      <Group gap="xs">
        <Text size="sm" c="dimmed">
          Manifest
        </Text>
        <Text size="sm" ff="monospace" title={platform.digest}>
          {shortDigest(platform.digest)}
        </Text>
        <CopyIcon value={platform.digest} label="Copy platform digest" />
        <Text size="sm" c="dimmed">
          {platform.mediaType}
        </Text>
      </Group>
      <Section title="Config">{platform.config ? <ImageConfig config={platform.config} /> : <Text c="dimmed">No image config (an artifact, or a manifest the registry did not return).</Text>}</Section>
      <Section title={`Layers (${platform.layers.length})`}>
        <ImageLayers platform={platform} />
      </Section>
      <Section title="History">
        <ImageHistory platform={platform} />
      </Section>
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="xs">
      <Title order={4}>{title}</Title>
      {children}
    </Stack>
  );
}

function CopyIcon({ value, label }: { value: string; label: string }) {
  return (
    <CopyIconButton value={value} label={label} />
  );
}

/** Size, shared and unique bytes with a two-part bar. */
export function ImageSizes({ platform }: { platform: PlatformDetails }) {
  const total = platform.sharedBytes + platform.uniqueBytes;
  const sharedPct = total > 0 ? (platform.sharedBytes / total) * 100 : 0;
  return (
    <Paper withBorder p="md" data-testid="platform-sizes">
      <SimpleGrid cols={3} mb="sm">
        <Stat label="Size (what a pull downloads)" value={formatBytes(platform.size)} />
        <Stat label="Shared with other platforms" value={formatBytes(platform.sharedBytes)} />
        <Stat label="Unique to this platform" value={formatBytes(platform.uniqueBytes)} />
      </SimpleGrid>
      <Progress.Root size="lg" aria-label="Shared and unique bytes" data-testid="platform-share-bar">
        <Tooltip label={`Shared: ${formatBytes(platform.sharedBytes)}`}>
          <Progress.Section value={sharedPct} color="gray" aria-label="Shared bytes" />
        </Tooltip>
        <Tooltip label={`Unique: ${formatBytes(platform.uniqueBytes)}`}>
          <Progress.Section value={total > 0 ? 100 - sharedPct : 0} color="indigo" aria-label="Unique bytes" />
        </Tooltip>
      </Progress.Root>
    </Paper>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </Stack>
  );
}

function list(v: string[] | null): ReactNode {
  if (!v || v.length === 0) return <Text c="dimmed" size="sm">—</Text>;
  return (
    <Code style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{JSON.stringify(v)}</Code>
  );
}

function text(v: string | null): ReactNode {
  return v ? <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{v}</Text> : <Text c="dimmed" size="sm">—</Text>;
}

/** The parts of the config a user looks at. */
export function ImageConfig({ config }: { config: ImageConfigSummary }) {
  const platform = [config.os, config.architecture, config.variant].filter(Boolean).join('/') || null;
  const labels = Object.entries(config.labels);
  const rows: Array<[string, ReactNode]> = [
    ['Created', text(config.created ? formatDate(config.created) : null)],
    ['Author', text(config.author)],
    ['OS / architecture', text(platform)],
    ['Entrypoint', list(config.entrypoint)],
    ['Cmd', list(config.cmd)],
    ['Working directory', text(config.workingDir)],
    ['User', text(config.user)],
    ['Exposed ports', text(config.exposedPorts.length ? config.exposedPorts.join(', ') : null)],
    ['Volumes', text(config.volumes.length ? config.volumes.join(', ') : null)],
  ];
  return (
    <Stack gap="sm">
      <Table aria-label="Config" data-testid="config-table" withRowBorders={false} verticalSpacing={4}>
        <Table.Tbody>
          {rows.map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Th w={180} style={{ verticalAlign: 'top' }}>
                {k}
              </Table.Th>
              <Table.Td>{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text fw={600} size="sm">
        Environment
      </Text>
      {config.env.length === 0 ? (
        <Text c="dimmed" size="sm">
          No environment variables.
        </Text>
      ) : (
        <Code block data-testid="config-env" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {config.env.join('\n')}
        </Code>
      )}
      <Text fw={600} size="sm">
        Labels
      </Text>
      {labels.length === 0 ? (
        <Text c="dimmed" size="sm">
          No labels.
        </Text>
      ) : (
        <Table aria-label="Labels" data-testid="config-labels" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Label</Table.Th>
              <Table.Th>Value</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {labels.map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {k}
                </Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{v}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

/** The layers (or an artifact's blobs). */
export function ImageLayers({ platform }: { platform: PlatformDetails }) {
  if (platform.layers.length === 0) return <Text c="dimmed">No layers.</Text>;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table aria-label="Layers" data-testid="layers-table" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Digest</Table.Th>
            <Table.Th>Media type</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {platform.layers.map((l, i) => (
            <Table.Tr key={`${l.digest}-${i}`}>
              <Table.Td>{i + 1}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Text size="sm" ff="monospace" title={l.digest}>
                    {shortDigest(l.digest)}
                  </Text>
                  <CopyIcon value={l.digest} label={`Copy digest of layer ${i + 1}`} />
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="xs" className="berth-value">
                  {l.mediaType}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{formatBytes(l.size)}</Table.Td>
              <Table.Td>
                {l.shared && (
                  <Badge size="sm" variant="light" color="gray">
                    shared
                  </Badge>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The build history. */
export function ImageHistory({ platform }: { platform: PlatformDetails }) {
  if (platform.history.length === 0) return <Text c="dimmed">No history recorded.</Text>;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table aria-label="History" data-testid="history-table" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Created</Table.Th>
            <Table.Th>Created by</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {platform.history.map((h, i) => (
            <Table.Tr key={i}>
              <Table.Td style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>{formatDate(h.created)}</Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                  {h.createdBy ?? '—'}
                </Text>
                {h.comment && (
                  <Text size="xs" c="dimmed">
                    {h.comment}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                {h.emptyLayer ? (
                  <Text size="xs" c="dimmed">
                    empty layer
                  </Text>
                ) : (
                  formatBytes(h.size)
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
