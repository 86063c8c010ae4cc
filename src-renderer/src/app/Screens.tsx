/** The screen for a route. */
import { ActivityScreen } from '../features/activity/components/ActivityScreen';
import { ImageScreen } from '../features/browse/components/ImageScreen';
import { RepositoriesScreen } from '../features/browse/components/RepositoriesScreen';
import { TagsScreen } from '../features/browse/components/TagsScreen';
import { CertificatesScreen } from '../features/certificates/components/CertificatesScreen';
import { ConnectionsScreen } from '../features/connections/components/ConnectionsScreen';
import { RegistryScreen } from '../features/registry/components/RegistryScreen';
import { SyncScreen } from '../features/sync/components/SyncScreen';
import { StorageScreen } from '../features/storage/components/StorageScreen';
import { UsersScreen } from '../features/users/components/UsersScreen';
import { EmptyState } from './common';
import { hrefOf, type Route } from './route';
import { ADMIN_SCREENS, useViewer } from './viewer';

/** Renders the screen of `route`; an administrator's screen tells anyone else so instead. */
export function Screen({ route }: { route: Route }) {
  const viewer = useViewer();
  if (!viewer.admin && ADMIN_SCREENS.has(route.screen)) {
    return (
      <EmptyState title="For administrators only">
        This screen manages the whole registry; {viewer.name ?? 'you'} may browse <a href={hrefOf({ screen: 'repositories', connection: 'local' })}>the repositories</a> they can pull.
      </EmptyState>
    );
  }
  switch (route.screen) {
    case 'registry':
      return <RegistryScreen />;
    case 'connections':
      return <ConnectionsScreen />;
    case 'repositories':
      return <RepositoriesScreen key={route.connection} connection={route.connection} />;
    case 'tags':
      return <TagsScreen key={`${route.connection}/${route.repository}`} connection={route.connection} repository={route.repository} />;
    case 'image':
      return <ImageScreen key={`${route.connection}/${route.repository}/${route.reference}`} connection={route.connection} repository={route.repository} reference={route.reference} />;
    case 'storage':
      return <StorageScreen tab={route.tab} />;
    case 'users':
      return <UsersScreen />;
    case 'certificates':
      return <CertificatesScreen />;
    case 'activity':
      return <ActivityScreen />;
    case 'sync':
      return <SyncScreen />;
  }
}
