/** The placeholder page: the product name and where the GUI will come from. */
import { INVOKE_CHANNELS } from '../../src-server/contract';

const styles = {
  page: {
    minHeight: '100vh',
    margin: 0,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    gap: '0.75rem',
    fontFamily: 'system-ui, sans-serif',
    background: '#0f172a',
    color: '#e2e8f0',
  },
  title: { margin: 0, fontSize: '2.5rem', letterSpacing: '0.02em' },
  line: { margin: 0, color: '#94a3b8' },
} as const;

/** Berth's window content until the GUI lands in a later issue. */
export function App() {
  return (
    <main style={styles.page}>
      <h1 style={styles.title}>Berth</h1>
      <p style={styles.line}>A local OCI registry. The GUI arrives in a later issue.</p>
      <p style={styles.line}>
        <small>Contract channels: {INVOKE_CHANNELS.join(', ')}</small>
      </p>
    </main>
  );
}
