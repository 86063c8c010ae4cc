/**
 * The password-check thread of BcryptPool (bcrypt-pool.ts): compares one password with one bcrypt
 * hash at a time, off the server's event loop. Plain JavaScript on purpose: a worker thread is
 * loaded by Node itself, without the TypeScript loader the server may run under. The CLI build
 * (build/build-cli.mjs), the desktop build (electron.vite.config.ts) and the bench's bundle put this
 * file beside the code that starts it.
 *
 * Messages in: {id: number, password: string, hash: string}; out: {id, ok: boolean} or {id, error}.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

if (!parentPort) throw new Error('bcrypt-worker.js runs as a worker thread of BcryptPool');
// Password checks are background work: when CPU is short, serving requests comes first. On Linux a
// nice value belongs to the thread that sets it (elsewhere it would slow the whole server).
if (process.platform === 'linux') {
  try {
    setPriority(10);
  } catch {
    // Not allowed here (a sandbox): checks run at normal priority.
  }
}
const port = parentPort;
port.on('message', (job) => {
  try {
    port.postMessage({ id: job.id, ok: bcrypt.compareSync(job.password, job.hash) });
  } catch (err) {
    port.postMessage({ id: job.id, error: String(err instanceof Error ? err.message : err) });
  }
});
