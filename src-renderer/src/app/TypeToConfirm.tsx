/** A destructive action confirmed by typing the name of what it destroys (GitHub's pattern). */
import { Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ConfirmButtons, ErrorAlert } from './common';

/** Props of {@link TypeToConfirm}. */
export interface TypeToConfirmProps {
  /** What must be typed. */
  name: string;
  /** What happens, in words. */
  warning: ReactNode;
  confirmLabel: string;
  busy: boolean;
  /** The failure of the last attempt, shown in words. */
  error: unknown;
  errorTitle: string;
  /** Test ids of the input and the confirm button. */
  ids: { input: string; confirm: string };
  onConfirm: () => void;
  onCancel: () => void;
}

/** The form: a warning, the name to type, Cancel and the (red) confirm button. */
export function TypeToConfirm({ name, warning, confirmLabel, busy, error, errorTitle, ids, onConfirm, onCancel }: TypeToConfirmProps) {
  const [typed, setTyped] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (typed === name && !busy) onConfirm();
  };
  return (
    <form onSubmit={submit} aria-label={`${confirmLabel} ${name}`}>
      <Stack>
        <Text size="sm">{warning}</Text>
        <TextInput label={`Type ${name} to confirm`} data-testid={ids.input} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} autoComplete="off" data-autofocus />
        {error !== null && error !== undefined && <ErrorAlert error={error} title={errorTitle} />}
        <ConfirmButtons confirmLabel={confirmLabel} onCancel={onCancel} busy={busy} disabled={typed !== name} testId={ids.confirm} />
      </Stack>
    </form>
  );
}
