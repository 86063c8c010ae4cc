/** The screen for a route. */
import { ActivityScreen } from '../features/activity/components/ActivityScreen';
import { ImageScreen } from '../features/browse/components/ImageScreen';
import { RepositoriesScreen } from '../features/browse/components/RepositoriesScreen';
import { TagsScreen } from '../features/browse/components/TagsScreen';
import { CertificatesScreen } from '../features/certificates/components/CertificatesScreen';
import { ConnectionsScreen } from '../features/connections/components/ConnectionsScreen';
import { RegistryScreen } from '../features/registry/components/RegistryScreen';
import { StorageScreen } from '../features/storage/components/StorageScreen';
import { UsersScreen } from '../features/users/components/UsersScreen';
import type { Route } from './route';

/** Renders the screen of `route`. */
export function Screen({ route }: { route: Route }) {
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
      return <StorageScreen />;
    case 'users':
      return <UsersScreen />;
    case 'certificates':
      return <CertificatesScreen />;
    case 'activity':
      return <ActivityScreen />;
  }
}
