/** PLACEHOLDER: its owner replaces it with the real screen. */
import { EmptyState } from '../../../app/common';

/** The local registry */
export function RegistryScreen(_props: Record<string, never>) {
  return <EmptyState title="The local registry">Coming soon.</EmptyState>;
}
