/** Small pieces every screen uses: errors in words, empty states, copyable commands, loading. */
import { ActionIcon, Alert, Button, Center, Code, CopyButton, Group, Loader, Stack, Text, Title, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import { describeError } from '../api/errors';
import { CheckIcon, CopyIcon } from './icons';

/** An error as a red alert: a title and a sentence (never a stack). */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const text = describeError(error);
  return (
    <Alert color="red" title={title ?? text.title} role="alert">
      {text.message}
    </Alert>
  );
}

/** What to show where there is nothing yet, and what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Center py="xl">
      <Stack align="center" gap="xs" maw={520}>
        <Title order={4}>{title}</Title>
        {children && (
          <Text c="dimmed" ta="center">
            {children}
          </Text>
        )}
      </Stack>
    </Center>
  );
}

/** A spinner while data loads. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl">
      <Group gap="sm">
        <Loader size="sm" />
        <Text c="dimmed">{label}</Text>
      </Group>
    </Center>
  );
}

/** A command or value with a copy button: on one line, scrolling sideways in its box when too long. */
export function CopyField({ value, label }: { value: string; label?: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code block style={{ flex: 1, minWidth: 0, whiteSpace: 'pre', overflowX: 'auto' }}>
        {value}
      </Code>
      <CopyIconButton value={value} label={label ? `Copy ${label}` : 'Copy'} />
    </Group>
  );
}

/** A small button that copies `value`, with a tooltip and a tick once copied. */
export function CopyIconButton({ value, label, tooltip = 'Copy', disabled }: { value: string; label: string; tooltip?: string; disabled?: boolean }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : tooltip}>
          <ActionIcon variant="subtle" onClick={copy} aria-label={label} disabled={disabled}>
            {copied ? <CheckIcon /> : <CopyIcon />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

/** Props of {@link ConfirmButtons}. */
export interface ConfirmButtonsProps {
  confirmLabel: string;
  onCancel: () => void;
  /** Omitted for a submit button (the form's onSubmit confirms). */
  onConfirm?: () => void;
  busy?: boolean;
  disabled?: boolean;
  testId: string;
  /** Focus the confirm button when the dialog opens (nothing to type first). */
  autoFocus?: boolean;
  /** Red for a destructive action (the default); the primary colour for saving a form. */
  destructive?: boolean;
}

/** Cancel and the confirm button at the foot of every dialog: red when the action destroys something. */
export function ConfirmButtons({ confirmLabel, onCancel, onConfirm, busy, disabled, testId, autoFocus, destructive = true }: ConfirmButtonsProps) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button
        color={destructive ? 'red' : undefined}
        type={onConfirm ? 'button' : 'submit'}
        onClick={onConfirm}
        loading={busy}
        disabled={disabled}
        data-testid={testId}
        data-autofocus={autoFocus || undefined}
      >
        {confirmLabel}
      </Button>
    </Group>
  );
}
