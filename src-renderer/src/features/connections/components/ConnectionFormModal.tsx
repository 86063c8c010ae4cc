/** Adding or editing a connection in a modal, with a test of what was typed before saving it. */
import { Alert, Button, Checkbox, Group, Input, Modal, PasswordInput, SegmentedControl, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { ConnectionInfo, TrustMode } from '../../../../../src-server/contract';
import { ErrorAlert } from '../../../app/common';
import { KINDS, TRUST_MODES, changesOf, draftOf, emptyForm, formOf, movedOrigin, withKind, type ConnectionForm, type RemoteKind } from '../draft';
import { useAddConnection, useTestConnection, useUpdateConnection } from '../queries';
import { secretStoreSentence, useSecretStore } from '../secret-store';
import { TestResult } from './TestResult';

interface Props {
  /** The connection edited, or null to add one. */
  saved: ConnectionInfo | null;
  /** Fields to start with over the saved ones (e.g. a certificate pin chosen in the list). */
  preset?: Partial<ConnectionForm>;
  onClose: () => void;
}

/** The add/edit modal; mount it with a `key` per connection so its form starts fresh. */
export function ConnectionFormModal({ saved, preset, onClose }: Props) {
  const [form, setForm] = useState<ConnectionForm>(() => ({ ...(saved ? formOf(saved) : emptyForm()), ...preset }));
  const [pinned, setPinned] = useState<string | null>(preset?.pinSha256 ?? null);
  const add = useAddConnection();
  const update = useUpdateConnection();
  const test = useTestConnection();
  const save = saved ? update : add;
  const secretStore = useSecretStore();
  // A URL of another origin drops the stored password (the server never sends it elsewhere).
  const moved = saved ? movedOrigin(form, saved) : null;
  const keepsStoredPassword = saved?.hasSecret && moved === null && form.password === '' && !form.removePassword;
  const passwordHint = moved
    ? 'Type the password for the new address: the stored one is not sent there.'
    : keepsStoredPassword
      ? 'Blank keeps the stored password.'
      : saved
        ? 'No password is stored.'
        : secretStoreSentence(secretStore.data);

  const change = (patch: Partial<ConnectionForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    test.reset();
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const dropped = moved !== null && form.password === '' ? moved : null;
    const done = (c: ConnectionInfo) => {
      notifications.show({ color: 'green', title: saved ? 'Connection saved' : 'Connection added', message: c.name });
      if (dropped && !c.hasSecret) {
        notifications.show({
          color: 'yellow',
          title: 'Stored password removed',
          message: (
            <span data-testid="connection-password-dropped">
              {c.name} has no password now: the one saved for {dropped.from} is never sent to {dropped.to}. Edit the connection to give one for the new address.
            </span>
          ),
        });
      }
      onClose();
    };
    if (saved) {
      const draft = changesOf(form, saved);
      if (Object.keys(draft).length === 0) return onClose();
      update.mutate({ id: saved.id, draft }, { onSuccess: done });
    } else {
      add.mutate(draftOf(form), { onSuccess: done });
    }
  };

  const trust = (fingerprint: string) => {
    setForm((f) => ({ ...f, trustMode: 'pin', pinSha256: fingerprint }));
    setPinned(fingerprint);
    test.reset();
  };

  return (
    <Modal opened onClose={onClose} title={saved ? `Edit ${saved.name}` : 'Add a connection'} size="lg">
      <form onSubmit={onSubmit} aria-label="Connection">
        <Stack gap="sm">
          <TextInput label="Name" required data-autofocus value={form.name} onChange={(e) => change({ name: e.currentTarget.value })} data-testid="connection-name" description="How Berth shows it, e.g. Team registry" />
          <Input.Wrapper label="Kind" description="Changes how repositories are listed; Docker Hub, GHCR and Quay fill in their URL.">
            <SegmentedControl
              fullWidth
              aria-label="Kind"
              data-testid="connection-kind"
              value={form.kind}
              onChange={(v) => {
                setForm((f) => withKind(f, v as RemoteKind));
                test.reset();
              }}
              data={KINDS.map((k) => ({ value: k.value, label: k.label }))}
            />
          </Input.Wrapper>
          <TextInput label="URL" required={form.kind === 'registry' || form.kind === 'harbor'} value={form.url} onChange={(e) => change({ url: e.currentTarget.value })} data-testid="connection-url" placeholder="https://registry.example.com" description="https:// is added when no scheme is given; no /v2 needed." />
          <Group grow align="flex-start">
            <TextInput label="User name" value={form.username} onChange={(e) => change({ username: e.currentTarget.value })} data-testid="connection-username" autoComplete="off" />
            <PasswordInput
              label="Password or token"
              value={form.password}
              onChange={(e) => change({ password: e.currentTarget.value, removePassword: false })}
              data-testid="connection-password"
              autoComplete="new-password"
              description={passwordHint}
            />
          </Group>
          {moved && form.password === '' && (
            <Alert color="yellow" title="Password needed for the new address" data-testid="connection-origin-changed">
              The stored password was saved for {moved.from} and is not sent to {moved.to}. Type it above to use it there; saving without one
              removes it.
            </Alert>
          )}
          {saved?.hasSecret && moved === null && (
            <Checkbox label="Remove the stored password" checked={form.removePassword} disabled={form.password !== ''} onChange={(e) => change({ removePassword: e.currentTarget.checked })} data-testid="connection-remove-password" />
          )}
          <Input.Wrapper label="Trust" description="How Berth checks the registry's TLS certificate (https only).">
            <SegmentedControl fullWidth aria-label="Trust" data-testid="connection-trust" value={form.trustMode} onChange={(v) => change({ trustMode: v as TrustMode })} data={TRUST_MODES.map((t) => ({ value: t.value, label: t.label }))} />
          </Input.Wrapper>
          {form.trustMode === 'ca' && (
            <Textarea label="CA certificate (PEM)" autosize minRows={4} maxRows={10} value={form.caPem} onChange={(e) => change({ caPem: e.currentTarget.value })} data-testid="connection-ca" placeholder="-----BEGIN CERTIFICATE-----" styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} />
          )}
          {form.trustMode === 'pin' && (
            <TextInput label="Certificate fingerprint (SHA-256)" value={form.pinSha256} onChange={(e) => change({ pinSha256: e.currentTarget.value })} data-testid="connection-pin" placeholder="AB:CD:…" description="Only the certificate with exactly this fingerprint is trusted. Saving keeps it." />
          )}
          {form.kind === 'dockerhub' && (
            <TextInput label="Docker Hub namespaces" value={form.namespaces} onChange={(e) => change({ namespaces: e.currentTarget.value })} data-testid="connection-namespaces" placeholder="library, myorg" description="Users or organisations whose repositories are listed (commas or spaces between them)." />
          )}
          <TextInput
            label="Repositories"
            value={form.repositories}
            onChange={(e) => change({ repositories: e.currentTarget.value })}
            data-testid="connection-repositories"
            placeholder="team/app, library/alpine"
            description="Repositories added by name (commas or spaces between them). Registries without a catalog, like Docker Hub, list only these and the namespaces."
          />
          {keepsStoredPassword && (
            <Text size="xs" c="dimmed">
              The test below uses the password typed here; the list's Test button uses the stored one.
            </Text>
          )}
          <div aria-live="polite">
            {test.data && <TestResult result={test.data} onTrust={trust} />}
            {test.error && <ErrorAlert error={test.error} title="The test could not run" />}
            {form.trustMode === 'pin' && !test.data && pinned !== null && pinned === form.pinSha256 && (
              <Alert color="blue" title="Certificate pinned" data-testid="connection-pinned">
                Save to trust this certificate from now on.
              </Alert>
            )}
          </div>
          {save.error && <ErrorAlert error={save.error} title="The connection was not saved" />}
          <Group justify="space-between">
            <Button variant="default" onClick={() => test.mutate({ draft: draftOf(form) })} loading={test.isPending} data-testid="connection-test">
              Test connection
            </Button>
            <Group>
              <Button variant="subtle" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending} data-testid="connection-save">
                Save connection
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
