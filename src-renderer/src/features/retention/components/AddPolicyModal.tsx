/**
 * Adding a retention policy: the fields of `berth retention add`. The server checks it; its
 * refusals are said through the one error helper. A policy that keeps nothing
 * (POLICY_KEEPS_NOTHING) is only added after an explicit "delete everything it matches", which sends
 * it again with `force`; a name in use (POLICY_EXISTS) offers to replace that policy.
 */
import { Alert, Button, Group, Modal, NumberInput, Stack, Switch, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { RetentionAddArgs, RetentionPolicy } from '../../../../../src-server/contract';
import { describeError, errorCode } from '../../../api/errors';
import { ConfirmButtons, ErrorAlert } from '../../../app/common';
import { describeKeeps } from '../format';
import { useAddPolicy } from '../queries';

/** The dialog; closed unless `opened`. */
export function AddPolicyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Add a retention policy" size="lg">
      {opened && <AddPolicyForm onClose={onClose} />}
    </Modal>
  );
}

/** The form's fields as typed. */
interface Draft {
  name: string;
  repos: string;
  keepLast: number | '';
  keepNewerThan: string;
  keepTags: string;
  untagged: boolean;
}

/** The policy a draft describes: empty fields left out, one pattern per line. */
export function policyOf(d: Draft): RetentionPolicy {
  const keepTags = d.keepTags
    .split('\n')
    .map((t) => t.trim())
    .filter(Boolean);
  return {
    name: d.name.trim(),
    repos: d.repos.trim(),
    ...(d.keepLast !== '' ? { keepLast: d.keepLast } : {}),
    ...(d.keepNewerThan.trim() ? { keepNewerThan: d.keepNewerThan.trim() } : {}),
    ...(keepTags.length ? { keepTags } : {}),
    ...(d.untagged ? { untagged: true } : {}),
  };
}

function AddPolicyForm({ onClose }: { onClose: () => void }) {
  const [draft, setDraft] = useState<Draft>({ name: '', repos: '', keepLast: '', keepNewerThan: '', keepTags: '', untagged: false });
  const add = useAddPolicy();
  // What the user confirmed for this policy (force, replace), kept across the refusals that ask for each.
  const [flags, setFlags] = useState<Omit<RetentionAddArgs, 'policy'>>({});
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    // A refusal or a confirmation is about what was sent: it goes as soon as the policy changes.
    setFlags({});
    add.reset();
  };
  const send = (extra: Omit<RetentionAddArgs, 'policy'> = {}) => {
    const policy = policyOf(draft);
    const confirmed = { ...flags, ...extra };
    setFlags(confirmed);
    add.mutate(
      { policy, ...confirmed },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', title: `Policy ${policy.name} added`, message: `${policy.repos}: keeps ${describeKeeps(policy)}` });
          onClose();
        },
      },
    );
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!add.isPending) send();
  };
  const code = add.isError ? errorCode(add.error) : null;
  const keepsNothing = code === 'POLICY_KEEPS_NOTHING';
  const exists = code === 'POLICY_EXISTS';

  return (
    <form onSubmit={submit} data-testid="policy-form">
      <Stack gap="sm">
        <TextInput label="Name" description="Letters, digits, '.', '_' and '-'" required value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} data-testid="policy-name" data-autofocus />
        <TextInput
          label="Repositories"
          description="A pattern: * is any characters (slashes too), ? one character; e.g. team/*"
          required
          value={draft.repos}
          onChange={(e) => set('repos', e.currentTarget.value)}
          data-testid="policy-repos"
        />
        <Group grow align="flex-start">
          <NumberInput
            label="Keep the last"
            description="The N most recently pushed tags"
            min={0}
            allowDecimal={false}
            allowNegative={false}
            value={draft.keepLast}
            onChange={(v) => set('keepLast', typeof v === 'number' ? v : v === '' ? '' : Number.isFinite(Number(v)) ? Number(v) : '')}
            data-testid="policy-keep-last"
          />
          <TextInput
            label="Keep tags newer than"
            description="Pushed within: 30d, 12h, 2w, 1h30m"
            value={draft.keepNewerThan}
            onChange={(e) => set('keepNewerThan', e.currentTarget.value)}
            data-testid="policy-keep-newer"
          />
        </Group>
        <Textarea
          label="Keep tags matching"
          description="Regular expressions, one per line (unanchored unless written ^…$), e.g. ^v\d+\.\d+\.\d+$"
          rows={3}
          value={draft.keepTags}
          onChange={(e) => set('keepTags', e.currentTarget.value)}
          data-testid="policy-keep-tags"
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <Switch
          label="Also remove untagged manifests (never the children of a kept index, nor referrers of kept images)"
          checked={draft.untagged}
          onChange={(e) => set('untagged', e.currentTarget.checked)}
          data-testid="policy-untagged"
        />
        {keepsNothing ? (
          <Alert color="red" title={describeError(add.error).title} role="alert" data-testid="policy-keeps-nothing">
            <Stack gap="xs">
              <span>
                With no keep rule, every tag of every repository matching <b>{draft.repos.trim()}</b> goes to the trash at the next run (unless another policy keeps it).
              </span>
              <Group>
                <Button color="red" onClick={() => send({ force: true })} loading={add.isPending} data-testid="policy-force">
                  Delete everything it matches
                </Button>
              </Group>
            </Stack>
          </Alert>
        ) : exists ? (
          <Alert color="orange" title={describeError(add.error).title} role="alert" data-testid="policy-exists">
            <Stack gap="xs">
              <span>{describeError(add.error).message}.</span>
              <Group>
                <Button variant="default" onClick={() => send({ replace: true })} loading={add.isPending} data-testid="policy-replace">
                  Replace policy {draft.name.trim()}
                </Button>
              </Group>
            </Stack>
          </Alert>
        ) : (
          add.isError && <ErrorAlert error={add.error} />
        )}
        <ConfirmButtons confirmLabel="Add policy" onCancel={onClose} busy={add.isPending && !keepsNothing && !exists} disabled={!draft.name.trim() || !draft.repos.trim()} testId="policy-add-confirm" destructive={false} />
      </Stack>
    </form>
  );
}
