/** The extra names (DNS names, IPs, wildcards) of the server certificate, and regeneration. */
import { Alert, Badge, Button, Card, CloseButton, Group, Modal, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { CertificatesInfo } from '../../../../../src-server/contract';
import { errorCode } from '../../../api/errors';
import { ConfirmButtons, ErrorAlert } from '../../../app/common';
import { useRegenerate } from '../queries';
import { CaScopeText, CaScopeWarnings, NewCaModal } from './CaScope';

/** Editor of `info.extraNames` with a confirmed "Regenerate". */
export function ExtraNames({ info }: { info: CertificatesInfo }) {
  const provided = info.mode === 'provided';
  const [names, setNames] = useState<string[]>(info.extraNames);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [newCa, setNewCa] = useState(false);
  const regenerate = useRegenerate();

  const add = (e: FormEvent) => {
    e.preventDefault();
    const n = draft.trim().toLowerCase();
    if (!n) return;
    if (/\s|\//.test(n)) return setProblem(`"${n}" is not a host name or IP address.`);
    if (names.includes(n)) return setProblem(`${n} is in the list already.`);
    setNames([...names, n]);
    setDraft('');
    setProblem(null);
  };
  const confirm = (withNewCa: boolean) =>
    regenerate.mutate(
      { extraNames: names, newCa: withNewCa },
      {
        onSuccess: (next) => {
          setConfirming(false);
          setNewCa(false);
          setNames(next.extraNames);
          notifications.show({
            message: withNewCa ? 'New CA and server certificate issued: give every client the new bundle' : 'New server certificate issued',
          });
        },
        onError: () => {
          setConfirming(false);
          setNewCa(false);
        },
      },
    );
  const changed = names.join('\n') !== info.extraNames.join('\n');

  return (
    <Card withBorder padding="lg" component="section" aria-label="Extra names" data-testid="cert-extra-names">
      <Stack gap="sm">
        <Title order={4}>Names and addresses</Title>
        {provided ? (
          <Text c="dimmed" data-testid="cert-provided-note">
            The certificate is provided by the configuration (http.tls), so Berth cannot add names to it: issue a new one with your own CA and point the
            configuration at it.
          </Text>
        ) : (
          <Stack gap={4}>
            <Text size="sm" c="dimmed">
              Clients check that the address they dial is in the server certificate. Add every other name or IP they use (e.g. registry.lan, 192.168.1.20,
              *.example.test), then regenerate. Clients that trust Berth's CA keep working.
            </Text>
            <CaScopeText info={info} />
          </Stack>
        )}
        <Group gap={6} data-testid="cert-extra-names-list">
          {names.length === 0 && <Text c="dimmed">No extra names: only the default ones ({info.wantedNames.join(', ') || 'none'}).</Text>}
          {names.map((n) => (
            <Badge key={n} variant="outline" tt="none" rightSection={provided ? null : <CloseButton size="xs" aria-label={`Remove ${n}`} onClick={() => setNames(names.filter((x) => x !== n))} />}>
              {n}
            </Badge>
          ))}
        </Group>
        {!provided && (
          <form onSubmit={add} aria-label="Add a name">
            <Group align="flex-start">
              <TextInput
                aria-label="Name or IP address to add"
                data-testid="cert-name-input"
                placeholder="registry.lan or 192.168.1.20"
                value={draft}
                onChange={(e) => (setDraft(e.currentTarget.value), setProblem(null))}
                error={problem}
                w={300}
              />
              <Button type="submit" variant="default" data-testid="cert-name-add">
                Add
              </Button>
            </Group>
          </form>
        )}
        {info.renewalDue.length > 0 && (
          <Alert color="yellow" title="A new server certificate is due" data-testid="cert-renewal-due">
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {info.renewalDue.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </Alert>
        )}
        {!provided && <CaScopeWarnings info={info} onNewCa={() => setNewCa(true)} />}
        {regenerate.error && <ErrorAlert error={regenerate.error} title="The certificate was not regenerated" />}
        {errorCode(regenerate.error) === 'OUTSIDE_CA' && (
          <Button variant="default" w="fit-content" onClick={() => setNewCa(true)} data-testid="cert-error-new-ca">
            Make a new CA that covers them…
          </Button>
        )}
        <Group>
          <Button data-testid="cert-regenerate" disabled={provided} onClick={() => setConfirming(true)}>
            Regenerate server certificate
          </Button>
          {changed && !provided && (
            <Text size="sm" c="dimmed">
              Unsaved: the names apply when you regenerate.
            </Text>
          )}
        </Group>
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Issue a new server certificate?">
        <Stack>
          <Text size="sm">
            Berth issues a new server certificate signed by its CA with the extra names {names.length ? names.join(', ') : '(none)'}. The HTTPS listener uses
            it for new connections at once; clients that trust the CA need nothing new.
          </Text>
          <ConfirmButtons
            confirmLabel="Regenerate"
            onCancel={() => setConfirming(false)}
            onConfirm={() => confirm(false)}
            busy={regenerate.isPending}
            testId="cert-regenerate-confirm"
            destructive={false}
          />
        </Stack>
      </Modal>
      <NewCaModal opened={newCa} names={names} busy={regenerate.isPending} onCancel={() => setNewCa(false)} onConfirm={() => confirm(true)} />
    </Card>
  );
}
