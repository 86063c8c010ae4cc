/** The extra names (DNS names, IPs, wildcards) of the server certificate, and regeneration. */
import { Alert, Badge, Button, Card, CloseButton, Group, Modal, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState, type FormEvent } from 'react';
import { checkCertificateName, type CertificatesInfo } from '../../../../../src-server/contract';
import { ApiCallError } from '../../../api/app-api';
import { errorCode } from '../../../api/errors';
import { ConfirmButtons, ErrorAlert } from '../../../app/common';
import { useRegenerate } from '../queries';
import { CaScopeText, CaScopeWarnings, NewCaModal } from './CaScope';

/** The names the server refused, each with its reason (CERTIFICATE_INVALID `detail.invalid`). */
function refusedNames(error: unknown): Array<{ name: string; problem: string }> {
  if (!(error instanceof ApiCallError) || error.code !== 'CERTIFICATE_INVALID') return [];
  const invalid = (error.detail as { invalid?: unknown } | undefined)?.invalid;
  return Array.isArray(invalid) ? invalid.filter((i): i is { name: string; problem: string } => typeof i?.name === 'string' && typeof i?.problem === 'string') : [];
}

/**
 * Editor of `info.extraNames` with a confirmed "Regenerate". Each name typed is checked as the
 * server will check it (the contract's checkCertificateName); `proposed` is a name another part of
 * the screen asks to add (then `onProposedTaken`).
 */
export function ExtraNames({ info, proposed, onProposedTaken }: { info: CertificatesInfo; proposed?: string | null; onProposedTaken?: () => void }) {
  const provided = info.mode === 'provided';
  const [names, setNamesState] = useState<string[]>(info.extraNames);
  const [draft, setDraft] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [newCa, setNewCa] = useState(false);
  const regenerate = useRegenerate();
  const refused = refusedNames(regenerate.error);
  // A refusal is about the names sent: once they change it no longer holds.
  const setNames = (next: string[]) => {
    regenerate.reset();
    setNamesState(next);
  };

  /** Adds every good name of `text` (names separated by spaces or commas); returns the problems of the others. */
  const addNames = (text: string): { problems: string[]; rest: string[] } => {
    const out = { problems: [] as string[], rest: [] as string[] };
    const next = [...names];
    for (const raw of text.split(/[\s,]+/).filter(Boolean)) {
      const checked = checkCertificateName(raw);
      if (!checked.ok) {
        out.problems.push(`${raw}: ${checked.problem}`);
        out.rest.push(raw);
      } else if (next.includes(checked.name)) {
        out.problems.push(`${checked.name} is in the list already.`);
      } else {
        next.push(checked.name);
      }
    }
    if (next.length !== names.length) setNames(next);
    return out;
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    const { problems: found, rest } = addNames(draft);
    setProblems(found);
    setDraft(rest.join(' '));
  };

  useEffect(() => {
    if (!proposed) return;
    setProblems(addNames(proposed).problems);
    onProposedTaken?.();
    // Only a new proposal adds a name; the list it joins is read as it is now.
  }, [proposed]);
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
            <Badge
              key={n}
              variant="outline"
              color={refused.some((r) => r.name === n) ? 'red' : undefined}
              tt="none"
              rightSection={provided ? null : <CloseButton size="xs" aria-label={`Remove ${n}`} onClick={() => setNames(names.filter((x) => x !== n))} />}
            >
              {n}
            </Badge>
          ))}
        </Group>
        {refused.length > 0 && (
          <Alert color="red" title="The certificate was not regenerated" role="alert">
            <Stack gap={2}>
              {refused.map((r) => (
                <Text key={r.name} size="sm" data-testid="cert-name-problem">
                  {r.name}: {r.problem}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
        {!provided && (
          <form onSubmit={add} aria-label="Add a name">
            <Group align="flex-start">
              <TextInput
                aria-label="Name or IP address to add"
                data-testid="cert-name-input"
                placeholder="registry.lan or 192.168.1.20"
                value={draft}
                onChange={(e) => (setDraft(e.currentTarget.value), setProblems([]))}
                error={
                  problems.length === 0 ? null : (
                    <Stack gap={0} component="span">
                      {problems.map((p) => (
                        <span key={p}>{p}</span>
                      ))}
                    </Stack>
                  )
                }
                w={360}
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
        {regenerate.error && refused.length === 0 && <ErrorAlert error={regenerate.error} title="The certificate was not regenerated" />}
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
