/** PLACEHOLDER: its owner replaces it with the real screen. */
import { EmptyState } from '../../../app/common';

/** Users */
export function UsersScreen(_props: Record<string, never>) {
  return <EmptyState title="Users">Coming soon.</EmptyState>;
}
