import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RegistryError } from '../core/errors';

/** Options of a BcryptPool. */
export interface BcryptPoolOptions {
  /** Worker threads (default: one less than the cores, at least 1 and at most 4). */
  workers?: number;
  /** Checks that may wait for a thread; beyond them a check is refused with 429 (default 64). */
  maxQueued?: number;
  /**
   * The worker script. Default: `bcrypt-worker.js` beside this module, which is also where the
   * CLI bundle, the desktop bundle and the bench's bundle emit it.
   */
  workerUrl?: URL;
  /** Told when a thread fails (it is replaced for the next check). */
  onError?: (message: string) => void;
}

/** What the pool is doing (for tests, the bench and metrics). */
export interface BcryptPoolStats {
  workers: number;
  running: number;
  queued: number;
  maxQueued: number;
}

interface Job {
  id: number;
  password: string;
  hash: string;
  resolve: (ok: boolean) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  job?: Job;
  started: number;
}

interface Reply {
  id: number;
  ok?: boolean;
  error?: string;
}

/** The default worker: `bcrypt-worker.js` beside this module (or beside the bundle holding it). */
export const BCRYPT_WORKER_URL = new URL('./bcrypt-worker.js', import.meta.url);

const defaultWorkers = () => Math.min(4, Math.max(1, availableParallelism() - 1));

/**
 * Runs bcrypt compares on a few worker threads, so that password checks never hold up the event
 * loop that serves everyone else. Checks wait in one bounded FIFO queue; when it is full, compare()
 * rejects with 429 TOOMANYREQUESTS and a `Retry-After` estimated from the queue and the recent
 * compare time. Threads start with the first check and, while idle, do not keep the process alive.
 */
export class BcryptPool {
  private readonly size: number;
  private readonly maxQueued: number;
  private readonly workerUrl: URL;
  private readonly threads: Thread[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Recent compare time, ms (a moving average), for Retry-After. */
  private averageMs = 100;

  constructor(private readonly opts: BcryptPoolOptions = {}) {
    this.size = Math.max(1, opts.workers ?? defaultWorkers());
    this.maxQueued = Math.max(0, opts.maxQueued ?? 64);
    this.workerUrl = opts.workerUrl ?? BCRYPT_WORKER_URL;
  }

  /** What the pool is doing now. */
  get stats(): BcryptPoolStats {
    return { workers: this.size, running: this.threads.filter((t) => t.job).length, queued: this.queue.length, maxQueued: this.maxQueued };
  }

  /** True when `password` matches the bcrypt `hash`; rejects with 429 when the queue is full. */
  compare(password: string, hash: string): Promise<boolean> {
    if (this.closed) return Promise.reject(new Error('the password checker is shut down'));
    const idle = this.threads.find((t) => !t.job) ?? (this.threads.length < this.size ? this.spawn() : undefined);
    if (!idle && this.queue.length >= this.maxQueued) return Promise.reject(this.busy());
    return new Promise<boolean>((resolve, reject) => {
      const job: Job = { id: this.nextId++, password, hash, resolve, reject };
      if (idle) this.run(idle, job);
      else this.queue.push(job);
    });
  }

  /** Stops every thread; checks still waiting or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the password checker is shut down'));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private busy(): RegistryError {
    const ahead = this.queue.length + this.threads.length;
    const seconds = Math.max(1, Math.ceil((ahead * this.averageMs) / this.size / 1000));
    return new RegistryError('TOOMANYREQUESTS', {
      message: 'too many logins are being checked; try again later',
      detail: { retryAfterSeconds: seconds },
      headers: { 'Retry-After': String(seconds) },
    });
  }

  private spawn(): Thread {
    const worker = new Worker(this.workerUrl, { name: 'berth-bcrypt' });
    const thread: Thread = { worker, started: 0 };
    worker.unref();
    worker.on('message', (reply: Reply) => this.finished(thread, reply));
    worker.on('error', (err) => this.lost(thread, `password check thread failed: ${err.message}`));
    worker.on('exit', (code) => this.lost(thread, `password check thread exited with code ${code}`));
    this.threads.push(thread);
    return thread;
  }

  private run(thread: Thread, job: Job): void {
    thread.job = job;
    thread.started = performance.now();
    // Busy threads keep the process alive until the answer is in.
    thread.worker.ref();
    thread.worker.postMessage({ id: job.id, password: job.password, hash: job.hash });
  }

  private finished(thread: Thread, reply: Reply): void {
    const job = thread.job;
    if (!job || reply.id !== job.id) return;
    thread.job = undefined;
    thread.worker.unref();
    this.averageMs = this.averageMs * 0.8 + (performance.now() - thread.started) * 0.2;
    if (reply.error !== undefined) job.reject(new Error(`password check failed: ${reply.error}`));
    else job.resolve(reply.ok === true);
    this.next(thread);
  }

  /** A thread that failed or exited: its check fails, and waiting checks get a new thread. */
  private lost(thread: Thread, message: string): void {
    const i = this.threads.indexOf(thread);
    if (i < 0) return;
    this.threads.splice(i, 1);
    const job = thread.job;
    thread.job = undefined;
    if (this.closed) {
      job?.reject(new Error('the password checker is shut down'));
      return;
    }
    this.opts.onError?.(message);
    job?.reject(new Error(message));
    void thread.worker.terminate();
    if (this.queue.length > 0) this.next(this.spawn());
  }

  private next(thread: Thread): void {
    const job = this.queue.shift();
    if (job) this.run(thread, job);
  }
}
