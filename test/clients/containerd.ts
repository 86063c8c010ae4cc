import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool, type ToolOptions, type ToolResult } from '../helpers/images';

/** A throwaway containerd daemon with everything under one directory. */
export interface Containerd {
  socket: string;
  /** Runs `ctr --address SOCK --namespace NS ARGS` (namespace `default` unless given). */
  ctr(args: string[], opts?: ToolOptions & { namespace?: string }): Promise<ToolResult>;
  /** What the daemon printed (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the daemon has exited. */
  stop(): Promise<void>;
}

/**
 * Starts containerd with its own root, state, socket and /opt dir under `dir`, the CRI plugin disabled,
 * in a private mount namespace so snapshot mounts never reach the host. Waits (bounded) until it answers.
 */
export async function startContainerd(dir: string, timeoutMs = 30_000): Promise<Containerd> {
  const sub = (name: string) => {
    const p = join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const socket = join(sub('run'), 'containerd.sock');
  const config = join(dir, 'config.toml');
  writeFileSync(
    config,
    [
      'version = 2',
      `root = "${sub('root')}"`,
      `state = "${sub('state')}"`,
      `temp = "${sub('tmp')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      // Each namespace downloads its own copy of a blob, so a test's pull is never served by another's.
      '[plugins."io.containerd.metadata.v1.bolt"]',
      '  content_sharing_policy = "isolated"',
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${sub('opt')}"`,
      '',
    ].join('\n'),
  );
  // unshare execs containerd in place, so the pid we hold is the daemon's.
  const proc = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'containerd', '--config', config, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((res) => proc.on('exit', () => res()));
  const ctr: Containerd['ctr'] = (args, opts = {}) =>
    runTool('ctr', ['--address', socket, '--namespace', opts.namespace ?? 'default', ...args], { timeoutMs: 120_000, ...opts });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`containerd exited with ${proc.exitCode}:\n${out}`);
    const r = await ctr(['version'], { allowFailure: true, timeoutMs: 5_000 });
    if (r.code === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`containerd did not answer within ${timeoutMs} ms:\n${out}\n${r.stderr}`);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  return { socket, ctr, output: () => out, stop };
}
