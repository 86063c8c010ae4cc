/** One row of the Files tree: name (indented), what hid it, size, mode, the layer that wrote it, download. */
import { ActionIcon, Badge, Box, Group, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { formatBytes } from '../../../app/format';
import { formatMode } from '../format';
import type { TreeRow } from '../tree';

/** Props of {@link FileRow}. */
export interface FileRowProps {
  row: TreeRow;
  selected: boolean;
  onToggle: (key: string) => void;
  onSelect: (path: string) => void;
  /** How to download a path (a link or a save), or null when the GUI cannot. */
  download: PathDownload | null;
}

/** A download of one path of the image: a link's address, or a save through the desktop's dialog. */
export type PathDownload = { href: (path: string) => string } | { save: (path: string, name: string) => void };

/** The columns of the tree's rows and of its header. */
export const FILE_COLUMNS = 'minmax(0, 1fr) 90px 100px 56px 36px';

/** One entry of the tree. */
export function FileRow({ row, selected, onToggle, onSelect, download }: FileRowProps) {
  const { node } = row;
  const e = node.entry;
  const h = node.hidden;
  const type = e?.type ?? h?.type ?? 'dir';
  const previewable = e?.type === 'file';
  const label = (
    <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
      <Text size="sm" ff="monospace" truncate="end" td={h ? 'line-through' : undefined} c={node.ghost ? 'dimmed' : undefined} fw={row.match ? 700 : undefined} title={node.path}>
        {node.name}
        {node.isDir ? '/' : ''}
      </Text>
      {e?.link && (
        <Text size="xs" c="dimmed" ff="monospace" truncate="end" title={e.link}>
          → {e.link}
        </Text>
      )}
      {h && (
        <Badge size="xs" color={h.how === 'deleted' ? 'red' : 'orange'} variant="light" data-testid="hidden-badge">
          {h.how} by layer {h.by}
        </Badge>
      )}
    </Group>
  );
  return (
    <Box
      data-testid="file-row"
      data-path={node.path}
      data-hidden={h ? h.how : undefined}
      bg={selected ? 'var(--mantine-color-default-hover)' : undefined}
      style={{ display: 'grid', gridTemplateColumns: FILE_COLUMNS, alignItems: 'center', height: '100%', gap: 8, paddingRight: 4 }}
    >
      <Group gap={4} wrap="nowrap" pl={node.depth * 16} style={{ minWidth: 0 }}>
        {node.isDir ? (
          <ActionIcon variant="subtle" size="sm" onClick={() => onToggle(node.key)} aria-label={`${row.open ? 'Close' : 'Open'} ${node.path}`} aria-expanded={row.open}>
            {row.open ? '▾' : '▸'}
          </ActionIcon>
        ) : (
          <Box w={22} />
        )}
        {previewable ? (
          <UnstyledButton onClick={() => onSelect(node.path)} aria-label={`Preview ${node.path}`} style={{ minWidth: 0 }}>
            {label}
          </UnstyledButton>
        ) : (
          label
        )}
      </Group>
      <Text size="xs" ta="right" c="dimmed">
        {h ? formatBytes(h.size) : node.isDir ? formatBytes(node.total) : formatBytes(e?.size ?? 0)}
      </Text>
      <Text size="xs" ff="monospace" c="dimmed">
        {e ? formatMode(e.type, e.mode) : type}
      </Text>
      <Tooltip label={h ? `written by layer ${h.layer}` : e ? `last written by layer ${e.layer}` : 'implied by the files below'}>
        <Text size="xs" c="dimmed" data-testid="file-layer">
          {h ? `#${h.layer}` : e ? `#${e.layer}` : ''}
        </Text>
      </Tooltip>
      {download && e && (e.type === 'file' || e.type === 'dir') ? (
        <DownloadIcon download={download} path={node.path} name={e.type === 'dir' ? `${node.name}.tar` : node.name} folder={e.type === 'dir'} />
      ) : (
        <span />
      )}
    </Box>
  );
}

function DownloadIcon({ download, path, name, folder }: { download: PathDownload; path: string; name: string; folder: boolean }) {
  const label = folder ? `Download ${path} as .tar` : `Download ${path}`;
  if ('href' in download) {
    return (
      <ActionIcon component="a" href={download.href(path)} download variant="subtle" size="sm" aria-label={label} data-testid="file-download">
        ⤓
      </ActionIcon>
    );
  }
  return (
    <ActionIcon variant="subtle" size="sm" aria-label={label} data-testid="file-download" onClick={() => download.save(path, name)}>
      ⤓
    </ActionIcon>
  );
}
