/**
 * Supervises the registry process (an Electron utilityProcess running src-main/registry-host): starts
 * it, forwards the GUI's calls to it and answers each with an envelope, reports a crash with the
 * last lines it wrote to stderr, and restarts it after a crash with growing delays until it crashes
 * too often (then the user restarts it from the tray). Electron is passed in as `fork`, so all of it
 * runs under plain Node in tests, against fake children and against real forked processes.
 */
import type { Envelope, EventChannel, InvokeChannel, RegistryStatus } from '../src-server/contract';
import { isHostMessage, type HostReady, type HostRequest } from '../src-server/host/protocol';
import type { HostState } from './state';

/** The part of Electron's UtilityProcess (or of a Node ChildProcess) the supervisor uses. */
export interface HostChild {
  postMessage(message: HostRequest): void;
  kill(): boolean;
  /**
   * 'message' (a HostMessage), 'exit' (the exit code, or null when killed by a signal) and 'error'
   * (Electron: a fatal V8 error in the child, e.g. out of memory; 'exit' follows).
   */
  on(event: 'message' | 'exit' | 'error', listener: (arg: unknown) => void): unknown;
  readonly stderr?: NodeJS.ReadableStream | null;
}

/** What a crash report tells the user. */
export interface CrashReport {
  /** One paragraph for people: what happened and what Berth does about it. */
  message: string;
  /** The exit code (null when killed by a signal). */
  code: number | null;
  /** The last lines the process wrote to stderr. */
  stderrTail: string;
  /** When Berth restarts it by itself, in ms from now; null when it waits for the user. */
  restartInMs: number | null;
}

/** Timers, passed in so tests can run the clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What the supervisor needs and whom it tells. */
export interface SupervisorOptions {
  /** Starts a registry process. */
  fork(): HostChild;
  /** Every change of the process's phase or of the registry's status. */
  onChange?(host: HostState, registry: RegistryStatus | null): void;
  /** Events of the contract sent by the process (status changes, GC and copy progress). */
  onEvent?(channel: EventChannel, payload: unknown): void;
  /** Each time a process becomes ready. */
  onReady?(ready: HostReady): void;
  /** The admin password of a first start that failed after creating the user (ready carries it otherwise). */
  onInitialPassword?(initial: { user: string; password: string }): void;
  /** Each unexpected exit, and each failure to start. */
  onCrash?(report: CrashReport): void;
  /** What the process writes to stderr (its log), as it comes. */
  onStderr?(text: string): void;
  timers?: Timers;
  now?: () => number;
  /**
   * How long a process may take to become ready (default 90 s: opening a large index takes time, and
   * a process waits up to 60 s for a berth command holding the data directory, so that it can report it).
   */
  readyTimeoutMs?: number;
  /** How long a shutdown may take before the process is killed (default 10 s). */
  shutdownTimeoutMs?: number;
  /** Delays of the automatic restarts after consecutive crashes; one more crash and it stays down. */
  restartDelaysMs?: readonly number[];
  /** A process that ran this long before crashing starts the count of crashes afresh (default 60 s). */
  stableAfterMs?: number;
}

const STDERR_TAIL_BYTES = 4096;

/** The error of a call the registry process cannot answer. */
export function unavailable(message: string): Envelope<never> {
  return { ok: false, error: { code: 'UNAVAILABLE', message } };
}

/** Runs and watches one registry process at a time. */
export class RegistrySupervisor {
  private hostState: HostState = { phase: 'stopped', error: null, crashes: 0, restartAt: null };
  private registryStatus: RegistryStatus | null = null;
  private child: HostChild | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (e: Envelope<unknown>) => void>();
  private readyWaiters: Array<() => void> = [];
  private exitWaiters: Array<() => void> = [];
  private readyTimer: unknown = null;
  private restartTimer: unknown = null;
  private killTimer: unknown = null;
  private readyAt: number | null = null;
  private fatal: string | null = null;
  /** Electron's 'error' event type (e.g. FatalError) of the current child. */
  private fatalError: string | null = null;
  private timedOut = false;
  private stderrTail = '';
  private readonly timers: Timers;
  private readonly now: () => number;

  constructor(private readonly opts: SupervisorOptions) {
    this.timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    this.now = opts.now ?? Date.now;
  }

  /** The process's state. */
  get state(): HostState {
    return { ...this.hostState };
  }

  /** The registry's last reported status (null while no process is ready). */
  get registry(): RegistryStatus | null {
    return this.registryStatus;
  }

  /** Starts the process unless it runs or is starting; the count of crashes starts afresh. */
  start(): void {
    if (this.child) return;
    this.cancelRestart();
    this.hostState.crashes = 0;
    this.spawn();
  }

  /** Stops the process: asks it to shut down, kills it if it has not exited in time. */
  stop(): Promise<void> {
    this.cancelRestart();
    const child = this.child;
    if (!child) {
      if (this.hostState.phase !== 'stopped') this.update({ phase: 'stopped', restartAt: null });
      return Promise.resolve();
    }
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    if (this.hostState.phase !== 'stopping') {
      this.update({ phase: 'stopping' });
      try {
        child.postMessage({ type: 'shutdown' });
      } catch {
        child.kill();
      }
      this.killTimer = this.timers.setTimeout(() => child.kill(), this.opts.shutdownTimeoutMs ?? 10_000);
    }
    return exited;
  }

  /** Stops the process if it runs and starts a new one (the tray's "Restart registry"). */
  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  /** Resolves once the process is ready, or is no longer starting. */
  whenSettled(): Promise<void> {
    if (this.hostState.phase !== 'starting') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends one call to the process and answers its envelope; never throws. */
  async invoke(channel: InvokeChannel, payload: unknown): Promise<Envelope<unknown>> {
    await this.whenSettled();
    const child = this.child;
    if (!child || this.hostState.phase !== 'ready') return unavailable(this.downMessage());
    const id = this.nextId++;
    return new Promise<Envelope<unknown>>((resolve) => {
      this.pending.set(id, resolve);
      try {
        child.postMessage({ type: 'invoke', id, channel, payload });
      } catch (err) {
        this.pending.delete(id);
        resolve(unavailable(`the registry process could not be reached: ${(err as Error).message}`));
      }
    });
  }

  private downMessage(): string {
    const { phase, error } = this.hostState;
    if (phase === 'crashed') return `the registry process crashed and is restarting: ${error ?? ''}`.trim();
    if (phase === 'failed') return `the registry process is not running: ${error ?? 'it failed'}. Restart it from the tray.`;
    return 'the registry process is not running';
  }

  private spawn(): void {
    this.fatal = null;
    this.fatalError = null;
    this.timedOut = false;
    this.readyAt = null;
    this.stderrTail = '';
    this.registryStatus = null;
    let child: HostChild;
    try {
      child = this.opts.fork();
    } catch (err) {
      this.update({ phase: 'failed', error: `the registry process could not be started: ${(err as Error).message}`, restartAt: null });
      this.opts.onCrash?.({ message: this.hostState.error!, code: null, stderrTail: '', restartInMs: null });
      return;
    }
    this.child = child;
    this.update({ phase: 'starting', error: null, restartAt: null });
    child.stderr?.on('data', (chunk: Buffer | string) => {
      const text = chunk.toString();
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
      this.opts.onStderr?.(text);
    });
    child.on('message', (m) => this.onMessage(child, m));
    // Without a listener, an 'error' event would throw in the main process.
    child.on('error', (type) => {
      if (child === this.child) this.fatalError = String(type);
    });
    child.on('exit', (code) => this.onExit(child, typeof code === 'number' ? code : null));
    this.readyTimer = this.timers.setTimeout(() => {
      this.timedOut = true;
      child.kill();
    }, this.opts.readyTimeoutMs ?? 90_000);
  }

  private onMessage(child: HostChild, m: unknown): void {
    if (child !== this.child || !isHostMessage(m)) return;
    switch (m.type) {
      case 'ready':
        this.clear('readyTimer');
        this.readyAt = this.now();
        this.registryStatus = m.status;
        // A shutdown sent while starting is handled after 'ready': stay 'stopping', so its exit is no crash.
        if (this.hostState.phase === 'stopping') this.changed();
        else this.update({ phase: 'ready', error: null });
        this.settle();
        this.opts.onReady?.(m);
        return;
      case 'result':
        this.pending.get(m.id)?.(m.envelope);
        this.pending.delete(m.id);
        return;
      case 'event':
        if (m.channel === 'registry:status-changed') {
          this.registryStatus = m.payload as RegistryStatus;
          this.changed();
        }
        this.opts.onEvent?.(m.channel, m.payload);
        return;
      case 'fatal':
        this.fatal = m.message;
        if (m.initialPassword) this.opts.onInitialPassword?.(m.initialPassword);
        return;
    }
  }

  private onExit(child: HostChild, code: number | null): void {
    if (child !== this.child) return;
    this.child = null;
    this.clear('readyTimer');
    this.clear('killTimer');
    this.registryStatus = null;
    const stopping = this.hostState.phase === 'stopping';
    for (const resolve of this.pending.values()) {
      resolve(unavailable(stopping ? 'the registry process was stopped' : 'the registry process stopped while answering; try again once it has restarted'));
    }
    this.pending.clear();
    if (stopping) {
      this.update({ phase: 'stopped', error: null, restartAt: null });
    } else {
      this.crashed(code);
    }
    this.settle();
    for (const resolve of this.exitWaiters.splice(0)) resolve();
  }

  private crashed(code: number | null): void {
    const tail = this.stderrTail.trim().split('\n').slice(-8).join('\n');
    if (this.fatal !== null) {
      // A start that cannot work (bad configuration, data directory in use): retrying would not help.
      const message = `the registry could not start: ${this.fatal}`;
      this.update({ phase: 'failed', error: message, restartAt: null });
      this.opts.onCrash?.({ message, code, stderrTail: tail, restartInMs: null });
      return;
    }
    const stableAfter = this.opts.stableAfterMs ?? 60_000;
    const crashes = this.readyAt !== null && this.now() - this.readyAt >= stableAfter ? 1 : this.hostState.crashes + 1;
    const what = this.timedOut
      ? `did not become ready within ${Math.round((this.opts.readyTimeoutMs ?? 90_000) / 1000)} s`
      : `exited unexpectedly (${code === null ? 'killed by a signal' : `exit code ${code}`}${this.fatalError ? `, ${this.fatalError}` : ''})`;
    const delays = this.opts.restartDelaysMs ?? [1000, 5000, 15_000];
    const delay = delays[crashes - 1];
    if (delay === undefined) {
      const message = `the registry process ${what}, ${crashes} times in a row; restart it from the tray`;
      this.update({ phase: 'failed', error: message, crashes, restartAt: null });
      this.opts.onCrash?.({ message, code, stderrTail: tail, restartInMs: null });
      return;
    }
    const message = `the registry process ${what}; restarting in ${Math.round(delay / 1000)} s`;
    this.update({ phase: 'crashed', error: message, crashes, restartAt: this.now() + delay });
    this.restartTimer = this.timers.setTimeout(() => {
      this.restartTimer = null;
      if (this.hostState.phase === 'crashed') this.spawn();
    }, delay);
    this.opts.onCrash?.({ message, code, stderrTail: tail, restartInMs: delay });
  }

  private settle(): void {
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  private cancelRestart(): void {
    this.clear('restartTimer');
    if (this.hostState.restartAt !== null) this.hostState.restartAt = null;
  }

  private clear(name: 'readyTimer' | 'restartTimer' | 'killTimer'): void {
    if (this[name] !== null) this.timers.clearTimeout(this[name]);
    this[name] = null;
  }

  private update(patch: Partial<HostState>): void {
    this.hostState = { ...this.hostState, ...patch };
    this.changed();
  }

  private changed(): void {
    this.opts.onChange?.(this.state, this.registryStatus);
  }
}
