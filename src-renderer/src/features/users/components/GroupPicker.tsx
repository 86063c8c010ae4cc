/** Choosing the groups a user is in: one checkbox per group, with the rights each brings. */
import { Checkbox, Code, Group, Stack, Text } from '@mantine/core';
import type { GroupDto } from '../../../../../src-server/contract';

/** The checkboxes; `value` holds the chosen group names in the order the groups are listed. */
export function GroupPicker({ groups, value, onChange }: { groups: GroupDto[]; value: string[]; onChange: (v: string[]) => void }) {
  if (!groups.length) {
    return (
      <Text size="sm" c="dimmed" data-testid="no-groups-to-pick">
        There are no groups yet. Add one under <b>Groups</b>: its members get its rights on top of their own.
      </Text>
    );
  }
  // Kept in the groups' order, so that what is saved reads the same as the list.
  const choose = (names: string[]) => onChange(groups.map((g) => g.name).filter((n) => names.includes(n)));
  return (
    <Checkbox.Group label="Groups" description="A user's rights are their own plus those of their groups." value={value} onChange={choose} data-testid="group-picker">
      <Stack gap={6} mt={6}>
        {groups.map((g) => (
          <Checkbox
            key={g.name}
            value={g.name}
            aria-label={g.name}
            label={
              <Group gap={6}>
                <Text size="sm" fw={600}>
                  {g.name}
                </Text>
                {g.rules ? <Code>{g.rules}</Code> : <Text size="xs" c="dimmed">no rights</Text>}
              </Group>
            }
          />
        ))}
      </Stack>
    </Checkbox.Group>
  );
}
