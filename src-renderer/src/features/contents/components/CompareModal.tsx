/**
 * The tags screen's Compare action: two tags, the second possibly of another repository or
 * connection (a picker of connection, repository and tag), an optional platform for multi-arch
 * images, and then their diff (CompareView) in the same window.
 */
import { Autocomplete, Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState, type FormEvent } from 'react';
import type { ContentsDiffArgs } from '../../../../../src-server/contract';
import { useConnections } from '../../../app/queries';
import { useTagChoices } from '../queries';
import { CompareView } from './CompareView';

/** Props of {@link CompareModal}. */
export interface CompareModalProps {
  connection: string;
  repository: string;
  /** Tags chosen on the tags screen: the first two fill the form. */
  initial: string[];
  opened: boolean;
  onClose: () => void;
}

/** Compare two tags. */
export function CompareModal({ connection, repository, initial, opened, onClose }: CompareModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Compare two images" size="90%" data-testid="compare-modal">
      {/* Mounted only while open: each opening starts from the tags chosen then. */}
      {opened && <CompareForm connection={connection} repository={repository} initial={initial} />}
    </Modal>
  );
}

function TagField({ label, connection, repository, value, onChange, testId }: { label: string; connection: string; repository: string; value: string; onChange: (v: string) => void; testId: string }) {
  const [query] = useDebouncedValue(value, 250);
  const tags = useTagChoices(connection, repository, query);
  return (
    <Autocomplete
      label={label}
      data-testid={testId}
      value={value}
      onChange={onChange}
      data={tags.data?.items.map((t) => t.name) ?? []}
      placeholder="tag or sha256:…"
      required
      error={tags.isError && repository.trim() ? 'The tags of this repository cannot be read' : undefined}
    />
  );
}

function CompareForm({ connection, repository, initial }: { connection: string; repository: string; initial: string[] }) {
  const connections = useConnections();
  const [leftTag, setLeftTag] = useState(initial[0] ?? '');
  const [rightConnection, setRightConnection] = useState(connection);
  const [rightRepository, setRightRepository] = useState(repository);
  const [rightTag, setRightTag] = useState(initial[1] ?? '');
  const [platform, setPlatform] = useState('');
  const [args, setArgs] = useState<ContentsDiffArgs | null>(null);
  const ready = leftTag.trim() !== '' && rightTag.trim() !== '' && rightRepository.trim() !== '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    const p = platform.trim() ? { platform: platform.trim() } : {};
    setArgs({
      left: { connection, repository, reference: leftTag.trim(), ...p },
      right: { connection: rightConnection, repository: rightRepository.trim(), reference: rightTag.trim(), ...p },
    });
  };
  const connectionName = (id: string) => connections.data?.find((c) => c.id === id)?.name ?? id;
  return (
    <Stack gap="md">
      <form onSubmit={submit} data-testid="compare-form">
        <Stack gap="sm">
          <Group grow align="flex-start">
            <Stack gap={4}>
              <Text fw={600}>Left</Text>
              <Text size="sm" c="dimmed">
                {connectionName(connection)} · {repository}
              </Text>
              <TagField label="Tag" connection={connection} repository={repository} value={leftTag} onChange={setLeftTag} testId="compare-left-tag" />
            </Stack>
            <Stack gap={4}>
              <Text fw={600}>Right</Text>
              <Select
                label="Connection"
                aria-label="Right connection"
                data-testid="compare-right-connection"
                data={(connections.data ?? [{ id: connection, name: connection }]).map((c) => ({ value: c.id, label: c.name }))}
                value={rightConnection}
                allowDeselect={false}
                onChange={(v) => v && setRightConnection(v)}
              />
              <TextInput label="Repository" data-testid="compare-right-repository" value={rightRepository} onChange={(e) => setRightRepository(e.currentTarget.value)} required />
              <TagField label="Tag" connection={rightConnection} repository={rightRepository} value={rightTag} onChange={setRightTag} testId="compare-right-tag" />
            </Stack>
          </Group>
          <Group align="flex-end">
            <TextInput
              label="Platform (for multi-arch images)"
              placeholder="linux/amd64"
              data-testid="compare-platform"
              value={platform}
              onChange={(e) => setPlatform(e.currentTarget.value)}
              w={260}
            />
            <Button type="submit" disabled={!ready} data-testid="compare-run">
              Compare
            </Button>
          </Group>
        </Stack>
      </form>
      {args && <CompareView args={args} />}
    </Stack>
  );
}
