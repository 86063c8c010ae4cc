/** Copyable docker, podman and skopeo commands for the running registry's address. */
import { Anchor, Card, Group, SegmentedControl, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { RegistryStatus } from '../../../../../src-server/contract';
import { CopyField, EmptyState } from '../../../app/common';
import { hrefOf } from '../../../app/route';
import { clientCommands, hostOf } from '../commands';

/** Commands for `status`'s address; `user` is the suggested login name. */
export function RegistryCommands({ status, user }: { status: RegistryStatus; user: string }) {
  const [image, setImage] = useState('alpine:3');
  const [login, setLogin] = useState(user);
  const [scheme, setScheme] = useState<'http' | 'https'>('http');
  const httpHost = status.running ? hostOf(status.url) : null;
  const httpsHost = status.running ? hostOf(status.tlsUrl) : null;
  const useTls = scheme === 'https' && httpsHost !== null;
  const host = useTls ? httpsHost : httpHost ?? httpsHost;
  const insecure = !useTls && (httpHost !== null ? status.url?.startsWith('http:') === true : false);

  return (
    <Card withBorder padding="lg" data-testid="registry-commands">
      <Stack gap="sm">
        <Title order={3}>Use it from a terminal</Title>
        {!host ? (
          <EmptyState title="The registry is stopped">Start it to see the commands for docker, podman and skopeo.</EmptyState>
        ) : (
          <>
            <Group align="flex-end" wrap="wrap">
              <TextInput label="Image" aria-label="Image name" data-testid="commands-image" value={image} onChange={(e) => setImage(e.currentTarget.value)} w={260} />
              <TextInput label="User" aria-label="Login user name" data-testid="commands-user" value={login} onChange={(e) => setLogin(e.currentTarget.value)} w={180} />
              {httpHost && httpsHost && (
                <SegmentedControl
                  aria-label="Address"
                  value={scheme}
                  onChange={(v) => setScheme(v as 'http' | 'https')}
                  data={[
                    { value: 'http', label: `HTTP ${httpHost}` },
                    { value: 'https', label: `HTTPS ${httpsHost}` },
                  ]}
                />
              )}
            </Group>
            {insecure ? (
              <Text size="sm" c="dimmed">
                Plain HTTP: podman and skopeo need <code>--tls-verify=false</code>; docker accepts it for 127.0.0.0/8 only, otherwise add{' '}
                <code>{`"insecure-registries": ["${host}"]`}</code> to /etc/docker/daemon.json.
              </Text>
            ) : (
              <Text size="sm" c="dimmed">
                HTTPS: clients must trust Berth's CA — see <Anchor href={hrefOf({ screen: 'certificates' })}>Certificates</Anchor> for the bundle and install commands.
              </Text>
            )}
            <CommandTabs commands={clientCommands({ host, image, user: login, insecure })} />
          </>
        )}
      </Stack>
    </Card>
  );
}

function CommandTabs({ commands }: { commands: ReturnType<typeof clientCommands> }) {
  return (
    <Tabs defaultValue="docker" keepMounted>
      <Tabs.List>
        <Tabs.Tab value="docker">docker</Tabs.Tab>
        <Tabs.Tab value="podman">podman</Tabs.Tab>
        <Tabs.Tab value="skopeo">skopeo</Tabs.Tab>
      </Tabs.List>
      {(Object.keys(commands) as Array<keyof typeof commands>).map((tool) => (
        <Tabs.Panel key={tool} value={tool} pt="sm">
          <Stack gap="xs">
            {commands[tool].map((c) => (
              <div key={c.id} data-testid={`command-${c.id}`}>
                <Text size="sm" fw={500}>
                  {c.label}
                </Text>
                <CopyField value={c.command} label={`${tool} ${c.label.toLowerCase()} command`} />
              </div>
            ))}
          </Stack>
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
