/** The admin password generated at first start, shown once. */
import { Alert, Button, Stack, Text } from '@mantine/core';
import { CopyField } from '../../../app/common';
import { useDismissInitialPassword, useInitialPassword } from '../queries';

/** A prominent notice while the first-run password is known; nothing otherwise (errors included: a non-admin may not read it). */
export function InitialPasswordNotice() {
  const initial = useInitialPassword();
  const dismiss = useDismissInitialPassword();
  if (!initial.data) return null;
  const { user, password } = initial.data;
  return (
    <Alert color="orange" variant="light" title="Save the administrator password now" data-testid="initial-password-notice" role="alert">
      <Stack gap="xs">
        <Text size="sm">
          Berth created the user <strong data-testid="initial-password-user">{user}</strong> with this password. It will not be shown again: store it in
          your password manager, or change it on the Users screen.
        </Text>
        <div data-testid="initial-password-value">
          <CopyField value={password} label="administrator password" />
        </div>
        <Button variant="filled" color="orange" size="xs" w="fit-content" onClick={dismiss}>
          I have saved it
        </Button>
      </Stack>
    </Alert>
  );
}
