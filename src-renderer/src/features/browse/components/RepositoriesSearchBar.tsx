/**
 * The search box of the repositories screen and what it searches: repository names (the list), or
 * tags or digests across the repositories (then an optional filter on repository names beside it).
 */
import { Group, SegmentedControl, TextInput } from '@mantine/core';
import type { SearchKind } from '../../../../../src-server/contract';

/** What the box searches: `name` filters the list; the others search across repositories. */
export type SearchMode = 'name' | SearchKind;

const PLACEHOLDERS: Record<SearchMode, string> = {
  name: 'Search repositories',
  tag: 'Tag or its beginning, e.g. 1.0',
  digest: 'Digest or its beginning, e.g. sha256:3f2a…',
};

/** The mode switch, the search box and (searching tags or digests) the repository filter. */
export function RepositoriesSearchBar({
  mode,
  onMode,
  text,
  onText,
  within,
  onWithin,
}: {
  mode: SearchMode;
  onMode: (mode: SearchMode) => void;
  text: string;
  onText: (text: string) => void;
  within: string;
  onWithin: (text: string) => void;
}) {
  return (
    <Group gap="sm" align="flex-end" wrap="wrap">
      <SegmentedControl
        value={mode}
        onChange={(v) => onMode(v as SearchMode)}
        data={[
          { label: 'Repositories', value: 'name' },
          { label: 'Tags', value: 'tag' },
          { label: 'Digests', value: 'digest' },
        ]}
        aria-label="Search for"
        data-testid="search-mode"
      />
      <TextInput
        style={{ flex: 2, minWidth: 220 }}
        aria-label={mode === 'name' ? 'Search repositories' : mode === 'tag' ? 'Search tags' : 'Search digests'}
        data-testid="repositories-search"
        placeholder={PLACEHOLDERS[mode]}
        value={text}
        onChange={(e) => onText(e.currentTarget.value)}
        type="search"
        maxLength={256}
      />
      {mode !== 'name' && (
        <TextInput
          style={{ flex: 1, minWidth: 180 }}
          aria-label="Only in repositories containing"
          data-testid="search-within"
          placeholder="In repositories containing…"
          value={within}
          onChange={(e) => onWithin(e.currentTarget.value)}
          type="search"
          maxLength={256}
        />
      )}
    </Group>
  );
}
