/**
 * The window's frame: a header (name, registry status, theme, logout), the navigation (the local
 * registry, each connection, storage, users, certificates, activity) and the current screen.
 */
import { ActionIcon, AppShell, Badge, Burger, Group, NavLink, ScrollArea, Text, Title, Tooltip, useMantineColorScheme } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { useApi } from '../api/context';
import { sharedKeys, useConnections, useRegistryStatus } from './queries';
import { LogoutIcon, MoonIcon, SunIcon } from './icons';
import { hrefOf, type Route } from './route';
import { useViewer } from './viewer';

/** Props of {@link Shell}. */
export interface ShellProps {
  route: Route;
  children: ReactNode;
  /** Logged-in user and logout (HTTP mode). */
  user?: { name: string; logout: () => void };
}

/** The frame around every screen. */
export function Shell({ route, children, user }: ShellProps) {
  const [opened, { toggle }] = useDisclosure();
  const api = useApi();
  const client = useQueryClient();
  const status = useRegistryStatus();
  const connections = useConnections();
  const { colorScheme, toggleColorScheme } = useMantineColorScheme();
  const viewer = useViewer();

  useEffect(() => api.on('registry:status-changed', (s) => client.setQueryData(sharedKeys.status, s)), [api, client]);

  const browsing = route.screen === 'repositories' || route.screen === 'tags' || route.screen === 'image' ? route.connection : null;
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 260, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Navigation" />
            <Title order={3}>Berth</Title>
            {status.data && (
              <Badge color={status.data.running ? 'green' : 'gray'} variant="light" data-testid="registry-badge">
                {status.data.running ? `running · ${status.data.url ?? ''}` : 'stopped'}
              </Badge>
            )}
          </Group>
          <Group gap="sm">
            {user && (
              <Text size="sm" c="dimmed" data-testid="viewer-name">
                {user.name}
                {!viewer.admin && ' · read where you may pull'}
              </Text>
            )}
            <Tooltip label={colorScheme === 'dark' ? 'Light theme' : 'Dark theme'}>
              <ActionIcon variant="default" onClick={toggleColorScheme} aria-label="Toggle color scheme">
                {colorScheme === 'dark' ? <SunIcon /> : <MoonIcon />}
              </ActionIcon>
            </Tooltip>
            {user && (
              <ActionIcon variant="default" onClick={user.logout} aria-label="Log out" title="Log out">
                <LogoutIcon />
              </ActionIcon>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <ScrollArea>
          <NavLink href={hrefOf({ screen: 'registry' })} label="Local registry" active={route.screen === 'registry'} />
          <NavLink label="Browse" defaultOpened childrenOffset={12}>
            {(connections.data ?? []).map((c) => (
              <NavLink key={c.id} href={hrefOf({ screen: 'repositories', connection: c.id })} label={c.name} active={browsing === c.id} />
            ))}
          </NavLink>
          {viewer.admin && (
            <>
              <NavLink href={hrefOf({ screen: 'connections' })} label="Connections" active={route.screen === 'connections'} />
              <NavLink href={hrefOf({ screen: 'storage' })} label="Storage" active={route.screen === 'storage'} />
              <NavLink href={hrefOf({ screen: 'users' })} label="Users" active={route.screen === 'users'} />
              <NavLink href={hrefOf({ screen: 'certificates' })} label="Certificates" active={route.screen === 'certificates'} />
              <NavLink href={hrefOf({ screen: 'activity' })} label="Activity" active={route.screen === 'activity'} />
            </>
          )}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
