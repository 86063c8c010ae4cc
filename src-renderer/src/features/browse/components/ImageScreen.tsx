/** PLACEHOLDER: its owner replaces it with the real screen. */
import { EmptyState } from '../../../app/common';

/** Image */
export function ImageScreen(_props: { connection: string; repository: string; reference: string }) {
  return <EmptyState title="Image">Coming soon.</EmptyState>;
}
