/** PLACEHOLDER: its owner replaces it with the real screen. */
import { EmptyState } from '../../../app/common';

/** Certificates */
export function CertificatesScreen(_props: Record<string, never>) {
  return <EmptyState title="Certificates">Coming soon.</EmptyState>;
}
