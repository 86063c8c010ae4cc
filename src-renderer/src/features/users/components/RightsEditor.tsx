/** A rights field with help on `RIGHT@PATTERN` and examples that fill it. */
import { Button, Code, Group, Stack, Text, TextInput } from '@mantine/core';
import { RULE_EXAMPLES, rulesProblem } from '../rights';

/** Help on rights and patterns (rules of src-server/auth/rules.ts). */
export function RightsHelp() {
  return (
    <Stack gap={4} data-testid="rights-help">
      <Text size="xs" c="dimmed">
        Rights are <Code>RIGHT@PATTERN</Code> pairs separated by commas, e.g. <Code>pull@*,push@team/*</Code>. <b>pull</b> reads images;{' '}
        <b>push</b> uploads and tags (includes pull); <b>delete</b> removes tags and images (includes pull); <b>admin</b> is everything,
        including listing every repository and managing users. A right without <Code>@PATTERN</Code> applies to every repository.
      </Text>
      <Text size="xs" c="dimmed">
        Patterns match the whole repository name: <Code>*</Code> matches anything, <Code>/</Code> included (so <Code>team/*</Code> covers{' '}
        <Code>team/app</Code> and <Code>team/a/b</Code>), <Code>?</Code> one character; the rest is literal.
      </Text>
    </Stack>
  );
}

/** The field; `label` names it for screen readers and tests. */
export function RightsEditor({ value, onChange, label = 'Rights', testId = 'user-rights' }: { value: string; onChange: (v: string) => void; label?: string; testId?: string }) {
  const problem = rulesProblem(value);
  return (
    <Stack gap={6}>
      <TextInput
        label={label}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        placeholder="pull@*,push@team/*"
        error={problem}
        data-testid={testId}
        autoComplete="off"
        spellCheck={false}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
      />
      <Group gap={6} aria-label={`Examples for ${label}`} role="group">
        {RULE_EXAMPLES.map((ex) => (
          <Button key={ex.rules || 'none'} size="compact-xs" variant="light" radius="xl" onClick={() => onChange(ex.rules)} title={ex.label} aria-label={`${ex.rules || 'none'}: ${ex.label}`}>
            {ex.rules || 'none'}
          </Button>
        ))}
      </Group>
      <RightsHelp />
    </Stack>
  );
}
