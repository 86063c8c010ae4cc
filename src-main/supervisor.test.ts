import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope, RegistryStatus } from '../src-server/contract';
import type { HostReady, HostRequest } from '../src-server/host/protocol';
import type { HostState } from './state';
import { ManualClock } from '../test/helpers/manual-clock';
import { RegistrySupervisor, type CrashReport, type HostChild, type SupervisorOptions } from './supervisor';

/** A registry process the test scripts: records what it is sent, emits what the test says. */
class FakeChild extends EventEmitter implements HostChild {
  readonly sent: HostRequest[] = [];
  readonly stderr = new PassThrough();
  kills = 0;
  postMessage(message: HostRequest): void {
    this.sent.push(message);
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
  message(m: unknown): void {
    this.emit('message', m);
  }
  exit(code: number | null): void {
    this.emit('exit', code);
  }
  invokes(): Extract<HostRequest, { type: 'invoke' }>[] {
    return this.sent.filter((m): m is Extract<HostRequest, { type: 'invoke' }> => m.type === 'invoke');
  }
}

const STATUS: RegistryStatus = { running: true, url: 'http://127.0.0.1:5000', tlsUrl: null, controllable: true };
const readyMessage = (status: RegistryStatus = STATUS): HostReady => ({
  type: 'ready',
  status,
  loginUser: 'admin',
  initialPassword: null,
  secrets: { kind: 'memory', warning: null },
});

/** Lets promise callbacks and stream events run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(extra: Partial<SupervisorOptions> = {}) {
  const clock = new ManualClock();
  const children: FakeChild[] = [];
  const changes: { host: HostState; registry: RegistryStatus | null }[] = [];
  const crashes: CrashReport[] = [];
  const readies: HostReady[] = [];
  const events: [string, unknown][] = [];
  const sup = new RegistrySupervisor({
    fork: () => {
      const c = new FakeChild();
      children.push(c);
      return c;
    },
    timers: clock,
    now: clock.now,
    onChange: (host, registry) => changes.push({ host, registry }),
    onEvent: (channel, payload) => events.push([channel, payload]),
    onReady: (r) => readies.push(r),
    onCrash: (r) => crashes.push(r),
    readyTimeoutMs: 10_000,
    shutdownTimeoutMs: 3000,
    restartDelaysMs: [1000, 5000],
    stableAfterMs: 60_000,
    ...extra,
  });
  const last = () => children[children.length - 1]!;
  /** Starts and makes the current child ready. */
  const startReady = () => {
    sup.start();
    last().message(readyMessage());
    return last();
  };
  return { clock, children, changes, crashes, readies, events, sup, last, startReady };
}

describe('RegistrySupervisor with a fake process', () => {
  it("survives Electron's 'error' event (a fatal V8 error in the child) and names it in the crash", () => {
    const s = setup();
    const child = s.startReady();
    child.emit('error', 'FatalError', 'v8::OOM', '');
    child.exit(133);
    expect(s.crashes[0]!.message).toMatch(/exit code 133, FatalError/);
  });

  it('hands over the admin password a failed first start created', () => {
    const passwords: unknown[] = [];
    const s = setup({ onInitialPassword: (p) => passwords.push(p) });
    s.sup.start();
    s.last().message({ type: 'fatal', message: 'cannot open data directory', initialPassword: { user: 'admin', password: 'pw' } });
    s.last().exit(1);
    expect(passwords).toEqual([{ user: 'admin', password: 'pw' }]);
    expect(s.sup.state.phase).toBe('failed');
  });

  it('starts, becomes ready and tells onReady and onChange', () => {
    const s = setup();
    expect(s.sup.state.phase).toBe('stopped');
    s.sup.start();
    expect(s.children).toHaveLength(1);
    expect(s.sup.state).toEqual({ phase: 'starting', error: null, crashes: 0, restartAt: null });
    expect(s.sup.registry).toBeNull();
    s.sup.start(); // already starting: no second process
    expect(s.children).toHaveLength(1);
    const ready = readyMessage();
    s.last().message(ready);
    expect(s.sup.state.phase).toBe('ready');
    expect(s.sup.registry).toEqual(STATUS);
    expect(s.readies).toEqual([ready]);
    expect(s.changes.map((c) => c.host.phase)).toEqual(['starting', 'ready']);
    expect(s.changes[1]!.registry).toEqual(STATUS);
  });

  it('sends each invoke with its own id and resolves it with the matching result', async () => {
    const s = setup();
    const child = s.startReady();
    const a = s.sup.invoke('registry:status', undefined);
    const b = s.sup.invoke('browse:repositories', { page: 1 });
    await flush();
    const [ia, ib] = child.invokes();
    expect(ia).toMatchObject({ type: 'invoke', channel: 'registry:status', payload: undefined });
    expect(ib).toMatchObject({ type: 'invoke', channel: 'browse:repositories', payload: { page: 1 } });
    expect(ia!.id).not.toBe(ib!.id);
    // Answered out of order: each promise gets its own envelope.
    child.message({ type: 'result', id: ib!.id, envelope: { ok: true, result: 'b' } });
    child.message({ type: 'result', id: ia!.id, envelope: { ok: false, error: { code: 'X', message: 'a failed' } } });
    expect(await b).toEqual({ ok: true, result: 'b' });
    expect(await a).toEqual({ ok: false, error: { code: 'X', message: 'a failed' } });
  });

  it('holds an invoke made while starting until the process is ready', async () => {
    const s = setup();
    s.sup.start();
    let answered: Envelope<unknown> | null = null;
    void s.sup.invoke('registry:status', undefined).then((e) => (answered = e));
    await flush();
    expect(s.last().invokes()).toHaveLength(0);
    s.last().message(readyMessage());
    await flush();
    const [call] = s.last().invokes();
    expect(call?.channel).toBe('registry:status');
    s.last().message({ type: 'result', id: call!.id, envelope: { ok: true, result: 42 } });
    await flush();
    expect(answered).toEqual({ ok: true, result: 42 });
  });

  it('answers UNAVAILABLE while stopped, and after a failure names the tray', async () => {
    const s = setup({ restartDelaysMs: [] });
    const stopped = await s.sup.invoke('registry:status', undefined);
    expect(stopped).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'the registry process is not running' } });
    s.startReady().exit(1);
    expect(s.sup.state.phase).toBe('failed');
    const failed = await s.sup.invoke('registry:status', undefined);
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error.code).toBe('UNAVAILABLE');
      expect(failed.error.message).toMatch(/Restart it from the tray/);
    }
    expect(s.children.every((c) => c.invokes().length === 0)).toBe(true);
  });

  it('answers pending invokes UNAVAILABLE when the process exits', async () => {
    const s = setup();
    const child = s.startReady();
    const p = s.sup.invoke('browse:repositories', undefined);
    await flush();
    expect(child.invokes()).toHaveLength(1);
    child.exit(1);
    const answer = await p;
    expect(answer).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringMatching(/stopped while answering/) } });
    // A late result of the dead process changes nothing.
    child.message({ type: 'result', id: child.invokes()[0]!.id, envelope: { ok: true, result: 1 } });
    expect(s.sup.state.phase).toBe('crashed');
  });

  it('reports a crash with the stderr tail and restarts after the delay', async () => {
    const s = setup();
    const child = s.startReady();
    child.stderr.write(Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
    await flush();
    child.exit(1);
    expect(s.sup.state).toMatchObject({ phase: 'crashed', crashes: 1, restartAt: s.clock.t + 1000 });
    expect(s.sup.state.error).toMatch(/exit code 1/);
    expect(s.sup.registry).toBeNull();
    expect(s.crashes).toHaveLength(1);
    const report = s.crashes[0]!;
    expect(report.code).toBe(1);
    expect(report.restartInMs).toBe(1000);
    expect(report.message).toMatch(/exited unexpectedly \(exit code 1\); restarting in 1 s/);
    // The last eight lines only.
    expect(report.stderrTail).toBe(Array.from({ length: 8 }, (_, i) => `line ${i + 5}`).join('\n'));
    s.clock.advance(999);
    expect(s.children).toHaveLength(1);
    s.clock.advance(1);
    expect(s.children).toHaveLength(2);
    expect(s.sup.state).toMatchObject({ phase: 'starting', error: null, crashes: 1, restartAt: null });
    s.last().message(readyMessage());
    expect(s.sup.state.phase).toBe('ready');
  });

  it('follows restartDelaysMs on consecutive crashes, then fails and stays down', () => {
    const s = setup();
    s.startReady().exit(1);
    expect(s.crashes[0]!.restartInMs).toBe(1000);
    s.clock.advance(1000);
    // Crashing before ready counts too.
    s.last().exit(2);
    expect(s.sup.state).toMatchObject({ phase: 'crashed', crashes: 2 });
    expect(s.crashes[1]!.restartInMs).toBe(5000);
    s.clock.advance(4999);
    expect(s.children).toHaveLength(2);
    s.clock.advance(1);
    expect(s.children).toHaveLength(3);
    s.last().message(readyMessage());
    s.last().exit(3);
    expect(s.sup.state).toMatchObject({ phase: 'failed', crashes: 3, restartAt: null });
    expect(s.sup.state.error).toMatch(/exit code 3\), 3 times in a row; restart it from the tray/);
    expect(s.crashes[2]).toMatchObject({ code: 3, restartInMs: null });
    s.clock.advance(24 * 3600_000);
    expect(s.children).toHaveLength(3);
    expect(s.clock.pending).toBe(0);
  });

  it('starts the count afresh after a crash of a process that ran stableAfterMs', () => {
    const s = setup();
    s.startReady().exit(1);
    s.clock.advance(1000);
    s.last().message(readyMessage());
    s.clock.advance(59_999);
    s.last().exit(1);
    // Not yet stable: the second crash in a row.
    expect(s.sup.state.crashes).toBe(2);
    expect(s.crashes[1]!.restartInMs).toBe(5000);
    s.clock.advance(5000);
    s.last().message(readyMessage());
    s.clock.advance(60_000);
    s.last().exit(1);
    expect(s.sup.state).toMatchObject({ phase: 'crashed', crashes: 1 });
    expect(s.crashes[2]!.restartInMs).toBe(1000);
  });

  it('fails without a restart after a fatal message', () => {
    const s = setup();
    s.sup.start();
    s.last().message({ type: 'fatal', message: 'the data directory is in use' });
    expect(s.sup.state.phase).toBe('starting');
    s.last().exit(1);
    expect(s.sup.state).toMatchObject({ phase: 'failed', restartAt: null, error: 'the registry could not start: the data directory is in use' });
    expect(s.crashes).toEqual([{ message: 'the registry could not start: the data directory is in use', code: 1, stderrTail: '', restartInMs: null }]);
    s.clock.advance(3600_000);
    expect(s.children).toHaveLength(1);
  });

  it('kills a process that does not become ready in time and counts it as a crash', () => {
    const s = setup();
    s.sup.start();
    s.clock.advance(9999);
    expect(s.last().kills).toBe(0);
    s.clock.advance(1);
    expect(s.last().kills).toBe(1);
    s.last().exit(null);
    expect(s.sup.state).toMatchObject({ phase: 'crashed', crashes: 1 });
    expect(s.crashes[0]!.message).toMatch(/did not become ready within 10 s; restarting in 1 s/);
    expect(s.crashes[0]!.code).toBeNull();
  });

  it('does not kill a process that became ready before the timeout', () => {
    const s = setup();
    const child = s.startReady();
    s.clock.advance(3600_000);
    expect(child.kills).toBe(0);
    expect(s.sup.state.phase).toBe('ready');
  });

  it('stop() asks for a shutdown, resolves on exit and does not restart', async () => {
    const s = setup();
    const child = s.startReady();
    const pending = s.sup.invoke('browse:repositories', undefined);
    await flush();
    let stopped = false;
    const done = s.sup.stop().then(() => (stopped = true));
    expect(s.sup.state.phase).toBe('stopping');
    expect(child.sent.at(-1)).toEqual({ type: 'shutdown' });
    await flush();
    expect(stopped).toBe(false);
    child.exit(0);
    await done;
    expect(s.sup.state).toEqual({ phase: 'stopped', error: null, crashes: 0, restartAt: null });
    expect(await pending).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: 'the registry process was stopped' } });
    expect(s.crashes).toEqual([]);
    s.clock.advance(3600_000);
    expect(s.children).toHaveLength(1);
    expect(child.kills).toBe(0);
  });

  it('stop() kills a process that ignores the shutdown after shutdownTimeoutMs', async () => {
    const s = setup();
    const child = s.startReady();
    const done = s.sup.stop();
    s.clock.advance(2999);
    expect(child.kills).toBe(0);
    s.clock.advance(1);
    expect(child.kills).toBe(1);
    child.exit(null);
    await done;
    expect(s.sup.state.phase).toBe('stopped');
    expect(s.crashes).toEqual([]);
  });

  it('stop() while starting is no crash when the process reports ready before it exits', async () => {
    // run-host queues a shutdown that arrives while the services open, posts 'ready', then exits 0.
    const s = setup();
    s.sup.start();
    const child = s.last();
    const done = s.sup.stop();
    child.message(readyMessage());
    expect(s.sup.state.phase).toBe('stopping');
    // Still reported: a first start's admin password exists only in this message.
    expect(s.readies).toHaveLength(1);
    child.exit(0);
    await done;
    expect(s.sup.state).toEqual({ phase: 'stopped', error: null, crashes: 0, restartAt: null });
    expect(s.crashes).toEqual([]);
    s.clock.advance(3600_000);
    expect(s.children).toHaveLength(1);
  });

  it('stop() during a scheduled restart cancels it', async () => {
    const s = setup();
    s.startReady().exit(1);
    await s.sup.stop();
    expect(s.sup.state).toMatchObject({ phase: 'stopped', restartAt: null });
    s.clock.advance(3600_000);
    expect(s.children).toHaveLength(1);
  });

  it('restart() after a failure starts a new process with the count reset', async () => {
    const s = setup({ restartDelaysMs: [] });
    s.startReady().exit(1);
    expect(s.sup.state).toMatchObject({ phase: 'failed', crashes: 1 });
    await s.sup.restart();
    expect(s.children).toHaveLength(2);
    expect(s.sup.state).toEqual({ phase: 'starting', error: null, crashes: 0, restartAt: null });
    s.last().message(readyMessage());
    expect(s.sup.state.phase).toBe('ready');
  });

  it('restart() of a running process shuts it down first', async () => {
    const s = setup();
    const first = s.startReady();
    const done = s.sup.restart();
    expect(first.sent.at(-1)).toEqual({ type: 'shutdown' });
    expect(s.children).toHaveLength(1);
    first.exit(0);
    await done;
    expect(s.children).toHaveLength(2);
    expect(s.sup.state.phase).toBe('starting');
    expect(s.crashes).toEqual([]);
  });

  it('takes the registry status from status-changed events and passes every event on', () => {
    const s = setup();
    const child = s.startReady();
    const stopped: RegistryStatus = { running: false, url: null, error: 'stopped from Berth', controllable: true };
    child.message({ type: 'event', channel: 'registry:status-changed', payload: stopped });
    expect(s.sup.registry).toEqual(stopped);
    expect(s.changes.at(-1)).toEqual({ host: expect.objectContaining({ phase: 'ready' }), registry: stopped });
    const changesBefore = s.changes.length;
    child.message({ type: 'event', channel: 'gc:progress', payload: { done: 1 } });
    expect(s.sup.registry).toEqual(stopped);
    expect(s.changes).toHaveLength(changesBefore);
    expect(s.events).toEqual([
      ['registry:status-changed', stopped],
      ['gc:progress', { done: 1 }],
    ]);
  });

  it('ignores malformed messages', async () => {
    const s = setup();
    s.sup.start();
    const child = s.last();
    for (const m of [null, 'ready', 42, { type: 'ready' }, { type: 'ready', status: STATUS }, { type: 'nope' }, { type: 'fatal' }, { type: 'event' }]) {
      child.message(m);
    }
    expect(s.sup.state.phase).toBe('starting');
    child.message(readyMessage());
    const p = s.sup.invoke('registry:status', undefined);
    await flush();
    const id = child.invokes()[0]!.id;
    let answered = false;
    void p.then(() => (answered = true));
    for (const m of [{ type: 'result', id: String(id), envelope: { ok: true } }, { type: 'result', id, envelope: { result: 1 } }, { type: 'result', id }]) {
      child.message(m);
    }
    await flush();
    expect(answered).toBe(false);
    child.exit(1);
    expect(s.crashes[0]!.message).not.toMatch(/could not start/);
  });

  it('ignores messages and the exit of an old process after a restart', async () => {
    const s = setup();
    const old = s.startReady();
    old.exit(1);
    s.clock.advance(1000);
    const current = s.last();
    expect(current).not.toBe(old);
    old.message(readyMessage());
    old.message({ type: 'event', channel: 'registry:status-changed', payload: STATUS });
    expect(s.sup.state.phase).toBe('starting');
    expect(s.events).toEqual([]);
    current.message(readyMessage());
    const p = s.sup.invoke('registry:status', undefined);
    await flush();
    const id = current.invokes()[0]!.id;
    old.message({ type: 'result', id, envelope: { ok: true, result: 'old' } });
    old.exit(1);
    expect(s.sup.state.phase).toBe('ready');
    expect(s.crashes).toHaveLength(1);
    current.message({ type: 'result', id, envelope: { ok: true, result: 'current' } });
    expect(await p).toEqual({ ok: true, result: 'current' });
  });

  it('fails without a restart when the process cannot be forked', async () => {
    const crashes: CrashReport[] = [];
    const sup = new RegistrySupervisor({
      fork: () => {
        throw new Error('no such file');
      },
      onCrash: (r) => crashes.push(r),
      timers: new ManualClock(),
    });
    sup.start();
    expect(sup.state.phase).toBe('failed');
    expect(crashes).toEqual([{ message: 'the registry process could not be started: no such file', code: null, stderrTail: '', restartInMs: null }]);
    expect((await sup.invoke('registry:status', undefined)).ok).toBe(false);
  });
});

describe('RegistrySupervisor with real processes', () => {
  const script = fileURLToPath(new URL('../test/fixtures/desktop/fake-host.mjs', import.meta.url));
  const live = new Set<ChildProcess>();

  afterEach(() => {
    for (const cp of live) if (cp.exitCode === null && cp.signalCode === null) cp.kill('SIGKILL');
    live.clear();
  });

  /** child_process.fork adapted to HostChild, as index.ts adapts utilityProcess.fork. */
  function forkReal(env: Record<string, string> = {}): HostChild & { pid: number } {
    const cp = fork(script, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
      env: { ...process.env, ...env },
    });
    live.add(cp);
    // send() to a process that just died reports ERR_IPC_CHANNEL_CLOSED as an 'error' event.
    cp.on('error', () => undefined);
    return {
      pid: cp.pid!,
      postMessage: (m) => void cp.send(m),
      kill: () => cp.kill('SIGKILL'),
      // 'close' (after stderr ended) rather than 'exit', so the tail holds the last line written.
      on: (event, listener) => (event === 'exit' ? cp.on('close', (code) => listener(code)) : cp.on('message', listener)),
      stderr: cp.stderr,
    };
  }

  function realSetup(env: Record<string, string> = {}, extra: Partial<SupervisorOptions> = {}) {
    const pids: number[] = [];
    const crashes: CrashReport[] = [];
    let onCrash: (r: CrashReport) => void = () => undefined;
    let onReady: () => void = () => undefined;
    const sup = new RegistrySupervisor({
      fork: () => {
        const c = forkReal(env);
        pids.push(c.pid);
        return c;
      },
      onCrash: (r) => {
        crashes.push(r);
        onCrash(r);
      },
      onReady: () => onReady(),
      readyTimeoutMs: 20_000,
      shutdownTimeoutMs: 300,
      restartDelaysMs: [50, 50],
      ...extra,
    });
    const nextCrash = () => new Promise<CrashReport>((resolve) => (onCrash = resolve));
    const nextReady = () => new Promise<void>((resolve) => (onReady = resolve));
    return { sup, pids, crashes, nextCrash, nextReady };
  }

  it('starts a real process, invokes it, and restarts it after kill -9', async () => {
    const r = realSetup();
    r.sup.start();
    await r.sup.whenSettled();
    expect(r.sup.state.phase).toBe('ready');
    expect(r.sup.registry).toMatchObject({ running: true, url: 'http://127.0.0.1:5000' });
    const first = r.pids[0]!;
    expect(await r.sup.invoke('browse:repositories', { page: 2 })).toEqual({ ok: true, result: { pid: first, channel: 'browse:repositories', payload: { page: 2 } } });

    const crash = r.nextCrash();
    const ready = r.nextReady();
    process.kill(first, 'SIGKILL');
    const report = await crash;
    expect(report.code).toBeNull();
    expect(report.message).toMatch(/killed by a signal/);
    expect(report.restartInMs).toBe(50);
    expect(report.stderrTail).toContain(`fake host ${first} starting`);
    await ready;
    expect(r.pids).toHaveLength(2);
    const second = r.pids[1]!;
    expect(second).not.toBe(first);
    expect(await r.sup.invoke('registry:status', undefined)).toMatchObject({ ok: true, result: { pid: second } });

    await r.sup.stop();
    expect(r.sup.state.phase).toBe('stopped');
  });

  it('reports the exit code and last stderr line of a real process that exits', async () => {
    const r = realSetup({}, { restartDelaysMs: [] });
    r.sup.start();
    await r.sup.whenSettled();
    const crash = r.nextCrash();
    const answer = await r.sup.invoke('browse:repositories', { exit: 3 });
    expect(answer).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    const report = await crash;
    expect(report).toMatchObject({ code: 3, restartInMs: null });
    expect(report.stderrTail.split('\n').at(-1)).toBe(`fake host ${r.pids[0]} exiting with 3 as asked`);
    expect(r.sup.state.phase).toBe('failed');
  });

  it('fails a real process that reports a fatal start without restarting it', async () => {
    const r = realSetup({ FAKE_HOST_FATAL: 'data directory locked' });
    const crash = r.nextCrash();
    r.sup.start();
    expect(await crash).toMatchObject({ code: 1, restartInMs: null, message: 'the registry could not start: data directory locked' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.pids).toHaveLength(1);
    expect(r.sup.state.phase).toBe('failed');
  });

  it('kills a real process that ignores the shutdown', async () => {
    const r = realSetup({ FAKE_HOST_IGNORE_SHUTDOWN: '1' });
    r.sup.start();
    await r.sup.whenSettled();
    const started = Date.now();
    await r.sup.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(r.sup.state.phase).toBe('stopped');
    expect(r.crashes).toEqual([]);
    expect(() => process.kill(r.pids[0]!, 0)).toThrow();
  });
});
