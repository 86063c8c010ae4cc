/** PLACEHOLDER: its owner replaces it with the real screen. */
import { EmptyState } from '../../../app/common';

/** Tags */
export function TagsScreen(_props: { connection: string; repository: string }) {
  return <EmptyState title="Tags">Coming soon.</EmptyState>;
}
