/**
 * What the repositories screen says about where its names came from, and when there are none: an
 * empty catalog (the registry lists nothing this user may see) is told apart from a catalog the
 * registry would not list (then only the saved names show, and why), and both from a refusal of
 * the user, which BrowseErrorAlert shows instead of any list.
 */
import { Alert, Anchor, Stack } from '@mantine/core';
import type { CatalogRefusal, ConnectionInfo, RepositoriesPage } from '../../../../../src-server/contract';
import { CopyField, EmptyState } from '../../../app/common';
import { useRegistryStatus } from '../../../app/queries';
import { hrefOf } from '../../../app/route';

const settings = () => <Anchor href={hrefOf({ screen: 'connections' })}>connection's settings</Anchor>;

/** Why the catalog was not listed, as a sentence naming the connection and its user. */
function refusalWords(refusal: CatalogRefusal | undefined, info: ConnectionInfo | undefined): string {
  const name = info?.name ?? 'The registry';
  const user = info?.username ? `“${info.username}”` : 'this user';
  switch (refusal?.code) {
    case 'AUTH_REQUIRED':
      return `${name} lists its repositories only to users who log in.`;
    case 'DENIED':
      return `${name} does not let ${user} list its repositories.`;
    case 'UNSUPPORTED':
      return `${name} has no catalog.`;
    default:
      return `${name} refused the catalog.`;
  }
}

/** Where the names of a non-empty page came from, when that is not the registry's own catalog. */
export function SourceHint({ page, info }: { page: RepositoriesPage; info: ConnectionInfo | undefined }) {
  if (page.source === 'saved')
    return (
      <Alert color="blue" variant="light" data-testid="repositories-source" title="The registry does not list its repositories">
        {refusalWords(page.catalogRefusal, info)} These are the repositories you added by name; add more in the {settings()}.
      </Alert>
    );
  if (page.source === 'namespace')
    return (
      <Alert color="blue" variant="light" data-testid="repositories-source" title="Docker Hub has no catalog">
        These are the repositories of the namespaces (and the names) you added in the {settings()}.
      </Alert>
    );
  return null;
}

/** The local registry without repositories: how to push one. */
export function LocalEmpty() {
  const status = useRegistryStatus();
  const host = status.data?.url?.replace(/^[a-z]+:\/\//, '').replace(/\/$/, '') ?? 'localhost:5000';
  return (
    <Stack gap="xs" data-testid="repositories-empty">
      <EmptyState title="Nothing pushed yet">Tag an image with this registry's address and push it; it shows up here.</EmptyState>
      <CopyField value={`docker tag IMAGE ${host}/image\ndocker push ${host}/image`} label="push command" />
    </Stack>
  );
}

/** A remote without repositories to show, saying which of the reasons it is. */
export function RemoteEmpty({ page, info }: { page: RepositoriesPage; info: ConnectionInfo | undefined }) {
  const name = info?.name ?? 'The registry';
  const user = info?.username ? `“${info.username}”` : 'anonymous users';
  const [title, words] =
    page.source === 'catalog'
      ? ['No repositories listed', `${name} lists no repository that ${user} may see: its catalog came back empty. If you expected some, check the user's rights on the registry.`]
      : page.source === 'namespace'
        ? ['No repositories listed', 'Docker Hub lists only the namespaces and repositories you name.']
        : ['The registry does not list its repositories', refusalWords(page.catalogRefusal, info)];
  return (
    <Stack gap="xs" data-testid="repositories-empty" align="center">
      <EmptyState title={title}>
        {words} Add repository names in the connection's settings to browse them.
      </EmptyState>
      <Anchor href={hrefOf({ screen: 'connections' })} data-testid="repositories-connections-link">
        Open connections
      </Anchor>
    </Stack>
  );
}
