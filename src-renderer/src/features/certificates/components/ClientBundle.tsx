/** The client bundle for a HOST:PORT, and the commands that install Berth's CA on each OS. */
import { Alert, Button, Card, Group, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { namesCoverHost, type CertBundle } from '../../../../../src-server/contract';
import { CopyField, ErrorAlert, Loading } from '../../../app/common';
import { formatBytes } from '../../../app/format';
import { base64ToBytes, hostOf, hostProblem, offerDownload } from '../hosts';
import { useBundle, useInstallCommands } from '../queries';

interface Props {
  initialHost: string;
  provided: boolean;
  /** The names the server certificate carries (or will carry once made): a host outside them gets a warning. */
  certificateNames: string[];
  /** Adds a name to the certificate's extra names (unsaved until regenerated). */
  onAddName: (name: string) => void;
}

/** Bundle export and install commands, starting at `initialHost`. */
export function ClientBundle({ initialHost, provided, certificateNames, onAddName }: Props) {
  const [host, setHost] = useState(initialHost);
  const [debounced] = useDebouncedValue(host.trim(), 400);
  const problem = hostProblem(host);
  const debouncedOk = hostProblem(debounced) === null ? debounced : null;
  const name = problem === null ? hostOf(host) : null;
  const uncovered = name !== null && !namesCoverHost(certificateNames, name);
  const bundle = useBundle();
  const [last, setLast] = useState<(CertBundle & { host: string }) | null>(null);

  const download = (e: FormEvent) => {
    e.preventDefault();
    if (problem) return;
    const h = host.trim();
    bundle.mutate(h, {
      onSuccess: (b) => {
        offerDownload(base64ToBytes(b.base64), b.fileName);
        setLast({ ...b, host: h });
        notifications.show({ message: `Downloading ${b.fileName}` });
      },
    });
  };

  return (
    <Card withBorder padding="lg" component="section" aria-label="Client bundle" data-testid="cert-bundle">
      <Stack gap="sm">
        <Title order={4}>Trust Berth on other machines</Title>
        <Text size="sm" c="dimmed">
          The bundle holds Berth's CA certificate and install scripts for the address clients dial. Copy it to the client, unpack it, and run the
          command for its system below (from the unpacked folder).
        </Text>
        <form onSubmit={download} aria-label="Client bundle address">
          <Group align="flex-start">
            <TextInput
              label="Registry address (HOST:PORT)"
              data-testid="cert-bundle-host"
              placeholder="registry.local:5443"
              value={host}
              onChange={(e) => setHost(e.currentTarget.value)}
              error={host.trim() !== '' ? problem : null}
              w={320}
            />
            <Button type="submit" mt={25} data-testid="cert-bundle-download" disabled={problem !== null || provided} loading={bundle.isPending}>
              Download client bundle
            </Button>
          </Group>
        </form>
        {uncovered && (
          <Alert color="yellow" title="This address is not in the server certificate" data-testid="cert-bundle-not-covered">
            <Stack gap="xs">
              <Text size="sm">
                {name} is not in the server certificate ({certificateNames.join(', ') || 'no names yet'}), so clients that dial {host.trim()} will refuse the registry, even
                with this bundle installed. {provided ? 'The certificate comes from the configuration: it needs one that names it.' : 'Add the name to the certificate and regenerate it; clients that trust the CA need nothing new.'}
              </Text>
              {!provided && (
                <Button size="xs" variant="default" w="fit-content" onClick={() => onAddName(name)}>
                  Add {name} to the certificate names
                </Button>
              )}
            </Stack>
          </Alert>
        )}
        {provided && (
          <Text size="sm" c="dimmed">
            The certificate is provided by the configuration: give clients the CA that signed it (berth cert bundle --ca FILE).
          </Text>
        )}
        {bundle.error && <ErrorAlert error={bundle.error} title="The bundle could not be made" />}
        {last && (
          <Alert color="green" title={last.fileName} data-testid="cert-bundle-result">
            <Stack gap={4}>
              <Text size="sm">
                {formatBytes(last.size)} for {last.host}. SHA-256 of the file:
              </Text>
              <CopyField value={last.sha256} label="bundle SHA-256" />
              {last.notCovered && <Text size="sm">{last.notCovered}</Text>}
            </Stack>
          </Alert>
        )}
        <InstallCommands host={debouncedOk} waiting={host.trim() !== debounced} />
      </Stack>
    </Card>
  );
}

function InstallCommands({ host, waiting }: { host: string | null; waiting: boolean }) {
  const commands = useInstallCommands(host);
  if (host === null) return waiting ? null : <Text c="dimmed">Enter a valid HOST:PORT to see the install commands.</Text>;
  if (commands.isPending) return <Loading label="Preparing the commands…" />;
  if (commands.isError) return <ErrorAlert error={commands.error} title="No install commands for this address" />;
  const list = commands.data;
  if (list.length === 0) return <Text c="dimmed">No install commands for this address.</Text>;
  return (
    <Stack gap="xs" data-testid="cert-install-commands">
      <Title order={5}>Install commands for {host}</Title>
      <Tabs defaultValue={list[0]!.id}>
        <Tabs.List>
          {list.map((c) => (
            <Tabs.Tab key={c.id} value={c.id} data-testid={`install-tab-${c.id}`}>
              {c.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {list.map((c) => (
          <Tabs.Panel key={c.id} value={c.id} pt="sm" data-testid={`install-${c.id}`}>
            <CopyField value={c.command} label={`${c.label} command`} />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
