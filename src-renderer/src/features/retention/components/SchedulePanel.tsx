/**
 * The schedule of retention (retention.yml's `schedule`): set a duration or clear it, the next run,
 * and the last run's result (when, tags and manifests removed, bytes, errors).
 */
import { Badge, Button, Code, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { RetentionListing } from '../../../../../src-server/contract';
import { ErrorAlert } from '../../../app/common';
import { formatDate } from '../../../app/format';
import { describeFreed, describeRemovals } from '../format';
import { useSetSchedule } from '../queries';
import { RunErrors } from './RemovalList';

/** The panel (`data-testid="retention-schedule"`). */
export function SchedulePanel({ listing }: { listing: RetentionListing }) {
  const [value, setValue] = useState(listing.schedule ?? '');
  const save = useSetSchedule();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const schedule = value.trim();
    if (schedule) save.mutate({ schedule });
  };
  const clear = () => save.mutate({ schedule: null }, { onSuccess: () => setValue('') });
  const last = listing.lastRun;
  return (
    <Paper withBorder p="md" data-testid="retention-schedule" component="section" aria-label="Retention schedule">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>Schedule</Title>
          {listing.running && (
            <Badge color="yellow" data-testid="retention-running">
              a run is going on
            </Badge>
          )}
        </Group>
        <Text size="sm" data-testid="retention-next-run">
          {listing.schedule === null ? (
            'No schedule: the policies run only when started here or with berth retention run.'
          ) : (
            <>
              Every <b>{listing.schedule}</b>; next run: {listing.nextRun ? formatDate(listing.nextRun) : 'when a server runs (none does now)'}.
            </>
          )}
        </Text>
        <form onSubmit={submit}>
          <Group align="flex-end">
            <TextInput
              label="Run every"
              description="A duration: 24h, 1d, 12h, 1w"
              value={value}
              onChange={(e) => {
                setValue(e.currentTarget.value);
                save.reset();
              }}
              data-testid="retention-schedule-input"
              w={220}
            />
            <Button type="submit" variant="default" loading={save.isPending && save.variables?.schedule !== null} disabled={!value.trim()} data-testid="retention-schedule-save">
              Save schedule
            </Button>
            <Button variant="subtle" onClick={clear} disabled={listing.schedule === null} loading={save.isPending && save.variables?.schedule === null} data-testid="retention-schedule-clear">
              Clear (run only on demand)
            </Button>
          </Group>
        </form>
        {save.isError && <ErrorAlert error={save.error} title="The schedule was not saved" />}
        <Stack gap={2} data-testid="retention-last-run">
          <Text size="sm" fw={600}>
            Last run
          </Text>
          {last === null ? (
            <Text size="sm" c="dimmed">
              None yet.
            </Text>
          ) : (
            <>
              <Text size="sm">
                {formatDate(last.startedAt)} ({last.trigger === 'schedule' ? 'on schedule' : 'started by hand'}
                {last.dryRun ? ', a preview' : ''}): removed {describeRemovals(last)}; {describeFreed(last)}
                {last.errors.length === 0 ? '; no errors.' : '.'}
              </Text>
              <RunErrors report={last} />
            </>
          )}
        </Stack>
        <Text size="xs" c="dimmed">
          Policies live in <Code>{listing.file}</Code>.
        </Text>
      </Stack>
    </Paper>
  );
}
