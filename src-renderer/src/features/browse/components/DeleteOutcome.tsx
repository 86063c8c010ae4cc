/** What a delete did when part of it failed: the tags that went, and each refused image with why. */
import { Alert, Button, Group, List, Stack, Text } from '@mantine/core';
import type { TagsDeleteResult } from '../../../../../src-server/contract';
import { ApiCallError } from '../../../api/app-api';
import { describeError } from '../../../api/errors';
import { shortDigest } from '../../../app/format';
import { someNames } from './DeletePlanSummary';

/** The result of `tags:delete` with failures, until the user closes it. */
export function DeleteOutcome({ result, onClose }: { result: TagsDeleteResult; onClose: () => void }) {
  return (
    <Stack gap="md" data-testid="delete-tags-outcomes">
      <Alert color="red" title="Not everything was deleted" role="alert">
        The list has been refreshed. What happened:
      </Alert>
      <Text size="sm" ff="monospace" data-testid="delete-outcome-removed">
        {result.removed.length ? `Deleted: ${someNames(result.removed, 30)}` : 'Nothing was deleted.'}
      </Text>
      <List spacing="xs">
        {result.failed.map((f) => {
          const text = describeError(new ApiCallError('tags:delete', f.error));
          return (
            <List.Item key={f.digest} data-testid="delete-outcome-failed" data-digest={f.digest}>
              <Text span ff="monospace" fw={600}>
                {someNames(f.tags)}
              </Text>{' '}
              <Text span size="sm" c="dimmed">
                ({shortDigest(f.digest)})
              </Text>
              :{' '}
              <Text span c="red">
                {text.title}. {text.message}
              </Text>
            </List.Item>
          );
        })}
      </List>
      <Group justify="flex-end">
        <Button onClick={onClose}>Close</Button>
      </Group>
    </Stack>
  );
}
