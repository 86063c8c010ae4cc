/** PLACEHOLDER: its owner replaces it with the real screen. */
import { EmptyState } from '../../../app/common';

/** Storage */
export function StorageScreen(_props: Record<string, never>) {
  return <EmptyState title="Storage">Coming soon.</EmptyState>;
}
