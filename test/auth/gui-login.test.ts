/** The GUI's login (`berth serve --ui`) logs a wrong password as /v2 does. */
import { afterAll, describe, expect, it } from 'vitest';
import { berthWorkspace } from '../helpers/berth-server';
import { killUiServers, send, startUiServer } from '../bridge/client';

const ws = berthWorkspace('berth-gui-login-');
afterAll(killUiServers);

const guiLogin = (url: string, username: string, password: string) =>
  send(url, 'POST', '/_berth/api/session', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

describe('GUI login', () => {
  it('logs failed logins as /v2 does, with the name JSON-quoted and never the password', async () => {
    const { berth } = await startUiServer(ws.fresh());
    expect((await guiLogin(berth.url, 'admin', 'not-the-password-1')).status).toBe(401);
    expect((await guiLogin(berth.url, 'mallory\nui: admin logged in', 'not-the-password-2')).status).toBe(401);
    await expect.poll(() => berth.output(), { timeout: 5000 }).toContain('auth: failed login for user "admin" from 127.0.0.1');
    await expect.poll(() => berth.output(), { timeout: 5000 }).toContain('auth: failed login for user "mallory\\nui: admin logged in" from 127.0.0.1');
    expect(berth.output()).not.toContain('not-the-password');
    expect(berth.output()).not.toMatch(/^ui: admin logged in/m);
  });
});
