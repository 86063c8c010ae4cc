/** PLACEHOLDER: its owner replaces it with the real screen. */
import { EmptyState } from '../../../app/common';

/** Repositories */
export function RepositoriesScreen(_props: { connection: string }) {
  return <EmptyState title="Repositories">Coming soon.</EmptyState>;
}
