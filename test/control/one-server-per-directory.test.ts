/**
 * One server per data directory: a second `berth serve`, or the desktop app's registry process, on
 * a directory a running server uses is refused with a message saying which process has it. Two
 * would each keep their own index of the directory, and one's GC would sweep blobs the other is
 * still writing.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST_ARGS_ENV, type HostMessage } from '../../src-server/host/protocol';
import { berthWorkspace, runBerth } from '../helpers/berth-server';

const ROOT = resolve(import.meta.dirname, '../..');

describe('one server per data directory', () => {
  const ws = berthWorkspace('berth-one-server-');

  it('refuses a second berth serve, naming the first, and starts once the first stopped', async () => {
    const data = ws.fresh();
    const first = await ws.serve(data);
    const second = await runBerth(['serve', '--data', data, '--listen', '127.0.0.1:0', '--auth', 'none']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`another Berth server (pid ${first.proc.pid}) already uses the data directory ${data}`);
    // The first one still owns its control file: `berth usage` reaches it.
    const usage = await runBerth(['usage', '--data', data]);
    expect(usage.code, usage.stderr).toBe(0);
    await first.stop();
    const third = await ws.serve(data);
    expect(third.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("fails the desktop's registry process at once with the reason (no retry would help)", async () => {
    const data = ws.fresh();
    const server = await ws.serve(data);
    const host = fork(join(ROOT, 'src-main/registry-host.ts'), [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: {
        ...process.env,
        BERTH_DATA: data,
        REGISTRY_HTTP_ADDR: '127.0.0.1:0',
        [HOST_ARGS_ENV]: '["--no-listen"]',
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
      },
    });
    let stderr = '';
    host.stderr!.on('data', (d) => (stderr += d));
    const messages: HostMessage[] = [];
    host.on('message', (m) => messages.push(m as HostMessage));
    const code = await new Promise<number | null>((res) => host.on('exit', (c) => res(c)));
    expect(code).toBe(1);
    const fatal = messages.find((m) => m.type === 'fatal');
    expect(fatal, JSON.stringify(messages)).toMatchObject({ message: expect.stringContaining(`another Berth server (pid ${server.proc.pid})`) });
    expect(messages.some((m) => m.type === 'ready')).toBe(false);
    // Also on stderr, which the desktop app writes to its log.
    expect(stderr).toContain('cannot start: another Berth server');
    // Refused before writing anything: no admin user was created in the other server's directory.
    expect((fatal as { initialPassword?: unknown }).initialPassword ?? null).toBeNull();
    expect(existsSync(join(data, 'berth', 'htpasswd'))).toBe(false);
  });
});
