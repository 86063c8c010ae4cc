/**
 * The activity screen (`#/activity`): the local registry's audit log, newest first, filtered by
 * user, kind and period, a page at a time. What it lists is what `berth audit` prints.
 */
import { Button, Group, NativeSelect, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { useActivity } from '../queries';
import { KINDS, PERIODS } from '../labels';
import { ActivityTable } from './ActivityTable';

/** The activity screen. */
export function ActivityScreen(_props: Record<string, never>) {
  const [userText, setUserText] = useState('');
  const [user] = useDebouncedValue(userText.trim(), 300);
  const [kind, setKind] = useState('all');
  const [period, setPeriod] = useState('week');
  // The period counts back from when it was chosen (a refresh moves it along).
  const [now, setNow] = useState(() => Date.now());
  const query = useMemo(() => {
    const ms = PERIODS.find((p) => p.value === period)?.ms ?? null;
    const actions = KINDS.find((k) => k.value === kind)?.actions ?? [];
    return {
      ...(user ? { user } : {}),
      ...(actions.length ? { actions } : {}),
      ...(ms !== null ? { since: new Date(now - ms).toISOString() } : {}),
    };
  }, [user, kind, period, now]);
  const activity = useActivity(query);
  const entries = activity.data?.pages.flatMap((p) => p.entries) ?? [];
  const periodLabel = PERIODS.find((p) => p.value === period)?.label ?? '';

  let body;
  if (activity.isPending) body = <Loading label="Reading the activity log…" />;
  else if (activity.isError) body = <ErrorAlert error={activity.error} title="The activity log could not be read" />;
  else if (entries.length === 0) {
    body =
      user !== '' || kind !== 'all' ? (
        <EmptyState title="Nothing matches">No change matches these filters. Choose a longer period or another kind, or clear the user.</EmptyState>
      ) : (
        <EmptyState title={period === 'all' ? 'Nothing has changed yet' : `No changes (${periodLabel.toLowerCase()})`}>
          Pushes, deletes, garbage collections, changes to users, groups and rights, failed logins and settings changes show up here as they
          happen.{period === 'all' ? '' : ' Choose a longer period to see older ones.'}
        </EmptyState>
      );
  } else {
    body = (
      <Stack gap="xs">
        <ActivityTable entries={entries} />
        <Group justify="space-between">
          <Text size="sm" c="dimmed" data-testid="activity-count">
            {entries.length === 1 ? '1 entry' : `${entries.length} entries`}
            {activity.hasNextPage ? ' (older ones below)' : ''}
          </Text>
          {activity.hasNextPage && (
            <Button variant="default" size="xs" onClick={() => void activity.fetchNextPage()} loading={activity.isFetchingNextPage} data-testid="activity-older">
              Show older
            </Button>
          )}
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={2}>Activity</Title>
        <Button
          variant="default"
          size="xs"
          onClick={() => {
            setNow(Date.now());
            void activity.refetch();
          }}
          loading={activity.isFetching && !activity.isPending && !activity.isFetchingNextPage}
          data-testid="activity-refresh"
        >
          Refresh
        </Button>
      </Group>
      <Group align="flex-end">
        <TextInput label="User" placeholder="any user" value={userText} onChange={(e) => setUserText(e.currentTarget.value)} data-testid="activity-user" />
        <NativeSelect
          label="Kind"
          data={KINDS.map((k) => ({ value: k.value, label: k.label }))}
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value)}
          data-testid="activity-kind"
        />
        <NativeSelect
          label="Period"
          data={PERIODS.map((p) => ({ value: p.value, label: p.label }))}
          value={period}
          onChange={(e) => setPeriod(e.currentTarget.value)}
          data-testid="activity-period"
        />
      </Group>
      {body}
    </Stack>
  );
}
