/**
 * The image screen's Files tab: the merged filesystem of one platform as a virtualized tree (open
 * and close folders, sizes, modes, the layer that wrote each entry), deleted and overwritten files
 * on demand, search by path, a text preview of a file, and downloads of files and folders (.tar).
 */
import { Alert, Box, Group, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import type { ContentsRef } from '../../../../../src-server/contract';
import { ErrorAlert, Loading } from '../../../app/common';
import { count, formatBytes } from '../../../app/format';
import { useDownloads, useImageFiles } from '../queries';
import { buildTree, visibleRows } from '../tree';
import { FILE_COLUMNS, FileRow, type PathDownload } from './FileRow';
import { FilePreviewPanel } from './FilePreviewPanel';
import { PlatformPicker, readablePlatforms } from './PlatformPicker';
import { VirtualRows } from './VirtualRows';

/** The image a contents tab shows, and the platforms its index lists. */
export interface ContentsTabProps {
  image: Omit<ContentsRef, 'platform'>;
  platforms: string[];
}

/** The Files tab. */
export function FilesTab({ image, platforms }: ContentsTabProps) {
  const choices = readablePlatforms(platforms);
  const [platform, setPlatform] = useState<string | undefined>(choices.length > 1 ? choices[0] : undefined);
  const ref: ContentsRef = { ...image, platform };
  const files = useImageFiles(ref);
  return (
    <Stack gap="sm" data-testid="files-tab">
      <PlatformPicker platforms={choices} value={platform} onChange={setPlatform} testId="files-platform" />
      {files.isPending ? (
        <Loading label="Reading the layers… (a large image takes a while the first time)" />
      ) : files.isError ? (
        <ErrorAlert error={files.error} />
      ) : (
        <FilesView key={`${files.data.digest}`} image={ref} data={files.data} />
      )}
    </Stack>
  );
}

function FilesView({ image, data }: { image: ContentsRef; data: NonNullable<ReturnType<typeof useImageFiles>['data']> }) {
  const tree = useMemo(() => buildTree(data.entries, data.hidden), [data]);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [search, setSearch] = useState('');
  const [query] = useDebouncedValue(search, 200);
  const [showHidden, setShowHidden] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const rows = useMemo(() => visibleRows(tree, { open, showHidden, search: query }), [tree, open, showHidden, query]);
  const downloads = useDownloads();
  const { href, save } = downloads;
  const download: PathDownload | null = href ? { href: (path) => href({ ...image, path }) } : save ? { save: (path, name) => save({ ...image, path }, name) } : null;
  const toggle = (key: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const deleted = data.hidden.filter((h) => h.how === 'deleted').length;
  const overwritten = data.hidden.length - deleted;
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed" data-testid="files-summary">
        {data.platform ? `${data.platform} · ` : ''}
        {count(data.entries.length, 'entry', 'entries')} · {formatBytes(data.totalSize)} of files · {count(data.layers.length, 'layer')} · {formatBytes(data.wasted)} wasted
        {data.hidden.length > 0 ? ` (${deleted} deleted, ${overwritten} overwritten)` : ''}
      </Text>
      {data.warnings.length > 0 && (
        <Alert color="yellow" title={count(data.warnings.length, 'warning')} data-testid="files-warnings">
          {data.warnings.slice(0, 20).map((w) => (
            <Text key={w} size="sm">
              {w}
            </Text>
          ))}
          {data.warnings.length > 20 && <Text size="sm">and {data.warnings.length - 20} more</Text>}
        </Alert>
      )}
      <Group gap="md" align="center">
        <TextInput
          style={{ flex: 1 }}
          type="search"
          aria-label="Search paths"
          placeholder="Search paths (etc/ssl, .conf)"
          data-testid="files-search"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
        <Switch
          label={`Show deleted and overwritten files (${data.hidden.length})`}
          checked={showHidden}
          onChange={(e) => setShowHidden(e.currentTarget.checked)}
          disabled={data.hidden.length === 0}
          data-testid="files-show-hidden"
        />
      </Group>
      {!download && (
        <Text size="xs" c="dimmed" data-testid="files-no-download">
          Downloads of files and folders are offered in the browser GUI (berth serve) and the desktop window.
        </Text>
      )}
      <Group align="flex-start" gap="md" wrap="nowrap">
        <Stack gap={4} style={{ flex: 3, minWidth: 0 }}>
          <Box style={{ display: 'grid', gridTemplateColumns: FILE_COLUMNS, gap: 8, paddingRight: 4 }}>
            <Text size="xs" fw={600} c="dimmed">
              Path
            </Text>
            <Text size="xs" fw={600} c="dimmed" ta="right">
              Size
            </Text>
            <Text size="xs" fw={600} c="dimmed">
              Mode
            </Text>
            <Text size="xs" fw={600} c="dimmed">
              Layer
            </Text>
            <span />
          </Box>
          {rows.length === 0 ? (
            <Text c="dimmed" py="md" data-testid="files-empty">
              {query.trim() ? `No path contains “${query.trim()}”.` : 'This image has no files.'}
            </Text>
          ) : (
            <VirtualRows
              items={rows}
              rowKey={(r) => r.node.key}
              testId="files-tree"
              label="Files of the image"
              render={(r) => <FileRow row={r} selected={r.node.path === selected && !r.node.hidden} onToggle={toggle} onSelect={setSelected} download={download} />}
            />
          )}
        </Stack>
        {selected !== null && (
          <Box style={{ flex: 2, minWidth: 0 }}>
            <FilePreviewPanel image={image} path={selected} download={download} onClose={() => setSelected(null)} />
          </Box>
        )}
      </Group>
    </Stack>
  );
}
