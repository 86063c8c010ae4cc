/**
 * A failed listing in words. When the registry refuses the user (a wrong password, no login, no
 * right) the alert names the connection and its user and says what to do, since that is never
 * "nothing there"; any other failure is the app's usual error alert.
 */
import { Alert, Anchor, Stack, Text } from '@mantine/core';
import { describeError, errorCode } from '../../../api/errors';
import { ErrorAlert } from '../../../app/common';
import { useConnections } from '../../../app/queries';
import { hrefOf } from '../../../app/route';

/** The codes of a registry refusing the user. */
const REFUSALS = new Set(['AUTH_FAILED', 'AUTH_REQUIRED', 'DENIED']);

/** `error` of a listing of `connection`, in words. */
export function BrowseErrorAlert({ error, connection }: { error: unknown; connection: string }) {
  const connections = useConnections();
  const code = errorCode(error);
  if (!code || !REFUSALS.has(code)) return <ErrorAlert error={error} />;
  const info = connections.data?.find((c) => c.id === connection);
  const name = info?.name ?? connection;
  const user = info?.username ? `“${info.username}”` : null;
  const words =
    code === 'AUTH_FAILED'
      ? {
          title: `${name} refused the user name or password`,
          todo: `The registry did not accept ${user ? `the password of ${user}` : 'the stored credentials'}. Edit the connection's credentials (for GHCR and Docker Hub, a personal access token is the password).`,
        }
      : code === 'AUTH_REQUIRED'
        ? { title: `${name} needs a user name and password`, todo: 'Add a user name and password to the connection.' }
        : {
            title: `${name} does not allow ${user ?? 'this user'} this`,
            todo: `The registry took the login, but ${user ?? 'this user'} lacks the right. Ask its administrator for the pull right, or edit the connection to log in as another user.`,
          };
  return (
    <Alert color="red" title={words.title} role="alert" data-testid="browse-refused" data-code={code}>
      <Stack gap={4}>
        <Text size="sm">{words.todo}</Text>
        <Text size="sm" c="dimmed">
          {describeError(error).message}
        </Text>
        <Anchor href={hrefOf({ screen: 'connections' })} size="sm">
          Edit the connection
        </Anchor>
      </Stack>
    </Alert>
  );
}
