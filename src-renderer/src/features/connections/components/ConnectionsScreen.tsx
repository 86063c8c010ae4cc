/** PLACEHOLDER: its owner replaces it with the real screen. */
import { EmptyState } from '../../../app/common';

/** Connections */
export function ConnectionsScreen(_props: Record<string, never>) {
  return <EmptyState title="Connections">Coming soon.</EmptyState>;
}
