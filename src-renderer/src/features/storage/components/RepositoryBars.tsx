/**
 * Usage per repository as horizontal bars, largest first (top 20): each bar's length is its stored
 * bytes against the largest; its sections are untagged, unique and shared bytes.
 */
import { Anchor, Box, Button, Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import type { RepositoryUsage } from '../../../../../src-server/contract';
import { count, formatBytes } from '../../../app/format';
import { hrefOf } from '../../../app/route';

/** How many repositories the chart shows. */
export const TOP_REPOSITORIES = 20;

const pct = (part: number, whole: number) => (whole > 0 ? Math.max(0, Math.min(100, (part / whole) * 100)) : 0);

/** The chart; `onDelete` asks to delete a repository. */
export function RepositoryBars({ repositories, onDelete }: { repositories: RepositoryUsage[]; onDelete: (name: string) => void }) {
  const top = [...repositories].sort((a, b) => b.stored - a.stored || a.name.localeCompare(b.name)).slice(0, TOP_REPOSITORIES);
  const max = top[0]?.stored ?? 0;
  return (
    <Stack gap="sm" data-testid="repository-bars" aria-label="Usage per repository" role="list">
      <Group gap="md">
        <Legend color="orange" label="untagged" />
        <Legend color="indigo" label="unique" />
        <Legend color="gray" label="shared with other repositories" />
      </Group>
      {top.map((r) => {
        const untagged = Math.min(r.untagged, r.unique);
        return (
          <Box key={r.name} role="listitem" data-testid={`repository-bar-${r.name}`}>
            <Group justify="space-between" gap="xs" wrap="nowrap">
              <Anchor href={hrefOf({ screen: 'tags', connection: 'local', repository: r.name })} fw={500} style={{ overflowWrap: 'anywhere' }}>
                {r.name}
              </Anchor>
              <Group gap="xs" wrap="nowrap">
                <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {formatBytes(r.stored)} stored · {formatBytes(r.unique)} unique · {formatBytes(r.untagged)} untagged · {count(r.tags, 'tag')}
                </Text>
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => onDelete(r.name)} aria-label={`Delete repository ${r.name}`} data-testid={`delete-repository-${r.name}`}>
                  Delete
                </Button>
              </Group>
            </Group>
            <Box w={`${Math.max(pct(r.stored, max), 1)}%`} mt={4}>
              <Progress.Root size="lg" aria-label={`${r.name}: ${formatBytes(r.stored)} stored`}>
                <Tooltip label={`Untagged: ${formatBytes(untagged)}`}>
                  <Progress.Section withAria={false} value={pct(untagged, r.stored)} color="orange" />
                </Tooltip>
                <Tooltip label={`Unique: ${formatBytes(r.unique - untagged)}`}>
                  <Progress.Section withAria={false} value={pct(r.unique - untagged, r.stored)} color="indigo" />
                </Tooltip>
                <Tooltip label={`Shared: ${formatBytes(r.shared)}`}>
                  <Progress.Section withAria={false} value={pct(r.shared, r.stored)} color="gray" />
                </Tooltip>
              </Progress.Root>
            </Box>
          </Box>
        );
      })}
      {repositories.length > TOP_REPOSITORIES && (
        <Text size="sm" c="dimmed">
          The {TOP_REPOSITORIES} largest of {repositories.length.toLocaleString()} repositories.
        </Text>
      )}
    </Stack>
  );
}

function Legend({ color, label }: { color: string; label: string }) {
  return (
    <Group gap={4}>
      <Box w={12} h={12} bg={color} style={{ borderRadius: 2 }} />
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </Group>
  );
}
