/**
 * The window's frame: a "Skip to content" link, a header (name, registry status, theme, logout), the
 * navigation (the local registry, each connection, storage, sync, users, certificates, activity) and the
 * current screen. Below the `md` breakpoint (992 px) the navigation folds away behind the burger,
 * and closes again once a screen is chosen. Users who may push get the window-wide drop target that
 * imports an archive.
 */
import { ActionIcon, AppShell, Badge, Burger, Group, NavLink, ScrollArea, Text, Title, Tooltip, useMantineColorScheme } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type MouseEvent, type ReactNode } from 'react';
import { useApi } from '../api/context';
import { sharedKeys, useConnections, useRegistryStatus } from './queries';
import { LogoutIcon, MoonIcon, SunIcon } from './icons';
import { hrefOf, type Route } from './route';
import { useViewer } from './viewer';
import { ArchiveDropTarget } from '../features/archives/components/ArchiveDropTarget';

/** Props of {@link Shell}. */
export interface ShellProps {
  route: Route;
  children: ReactNode;
  /** Logged-in user and logout (HTTP mode). */
  user?: { name: string; logout: () => void };
}

/** The frame around every screen. */
export function Shell({ route, children, user }: ShellProps) {
  const [opened, { toggle, close }] = useDisclosure();
  const main = useRef<HTMLElement>(null);
  // Below `md` the folded navigation is only moved out of the window: keep it out of the keyboard's way too.
  const narrow = useMediaQuery('(max-width: 61.99em)');
  const folded = narrow === true && !opened;
  const api = useApi();
  const client = useQueryClient();
  const status = useRegistryStatus();
  const connections = useConnections();
  const { colorScheme, toggleColorScheme } = useMantineColorScheme();
  const viewer = useViewer();

  useEffect(() => api.on('registry:status-changed', (s) => client.setQueryData(sharedKeys.status, s)), [api, client]);
  // A screen chosen from the folded navigation is what the user came for: fold it again.
  useEffect(close, [route, close]);

  // The route lives in the hash, so the link must not follow its href: it only moves the focus.
  const skip = (e: MouseEvent) => {
    e.preventDefault();
    main.current?.focus();
  };

  const browsing = route.screen === 'repositories' || route.screen === 'tags' || route.screen === 'image' ? route.connection : null;
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 260, breakpoint: 'md', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main-content" className="berth-skip-link" onClick={skip}>
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label="Navigation" aria-expanded={opened} />
            <Title order={3}>Berth</Title>
            {status.data && (
              <Badge color={status.data.running ? 'green' : 'gray'} variant="light" data-testid="registry-badge" style={{ minWidth: 0 }}>
                {status.data.running ? `running · ${status.data.url ?? ''}` : 'stopped'}
              </Badge>
            )}
          </Group>
          <Group gap="sm" wrap="nowrap">
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
      <AppShell.Navbar p="xs" aria-label="Main navigation" inert={folded || undefined}>
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
              <NavLink href={hrefOf({ screen: 'sync' })} label="Sync" active={route.screen === 'sync'} />
              <NavLink href={hrefOf({ screen: 'users' })} label="Users" active={route.screen === 'users'} />
              <NavLink href={hrefOf({ screen: 'certificates' })} label="Certificates" active={route.screen === 'certificates'} />
              <NavLink href={hrefOf({ screen: 'activity' })} label="Activity" active={route.screen === 'activity'} />
            </>
          )}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main-content" ref={main} tabIndex={-1} className="berth-main">
        {children}
      </AppShell.Main>
      {viewer.mayPush !== false && <ArchiveDropTarget />}
    </AppShell>
  );
}
