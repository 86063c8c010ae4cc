/** The confirmation before the registry stops: what happens to transfers and to clients meanwhile. */
import { Modal, Stack, Text } from '@mantine/core';
import type { RegistryStatus } from '../../../../../src-server/contract';
import { ConfirmButtons } from '../../../app/common';

/** What clients meet while the registry is stopped, in words. */
export function whileStoppedText(status: Pick<RegistryStatus, 'whileStopped'>): string {
  return status.whileStopped === 'closed'
    ? 'Berth closes its port, so clients cannot connect'
    : 'clients get 503 Service Unavailable; this page stays available';
}

/** Asks before stopping; `onConfirm` stops. */
export function StopRegistryModal({ status, busy, onCancel, onConfirm }: { status: RegistryStatus; busy: boolean; onCancel: () => void; onConfirm: () => void }) {
  return (
    <Modal opened onClose={onCancel} title="Stop the registry?">
      <Stack>
        <Text size="sm">
          Pushes and pulls in progress are cut off{status.whileStopped === 'closed' ? ' (after up to 5 seconds)' : ' at their next request'}, and until you start it
          again {whileStoppedText(status)}.
        </Text>
        <ConfirmButtons confirmLabel="Stop the registry" onCancel={onCancel} onConfirm={onConfirm} busy={busy} testId="registry-stop-confirm" autoFocus />
      </Stack>
    </Modal>
  );
}
