/**
 * Behind a reverse proxy (`http.trustedproxies`): X-Forwarded-For names the client, for the failure
 * throttle, the auth log and the access log, but only when the socket's peer is a trusted proxy.
 * Against real `berth serve` processes; other client addresses are 127.0.0.x source addresses.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectError, raw } from '../api/harness';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { basicHeader } from './auth-server';

const ws = berthWorkspace('berth-trusted-proxies-');
const portOf = (berth: RunningBerth) => Number(new URL(berth.url).port);

/** GET /v2/ as admin with `password`, from `from` (a 127.0.0.x source address), saying X-Forwarded-For `xff`. */
function ping(berth: RunningBerth, password: string, xff: string, from = '127.0.0.1') {
  return raw(portOf(berth), 'GET', '/v2/', { localAddress: from, headers: { Authorization: basicHeader('admin', password), 'X-Forwarded-For': xff } });
}

describe('http.trustedproxies', () => {
  it('takes the client from X-Forwarded-For of a trusted proxy: its failures block only that client, and the logs name it', async () => {
    const config = join(ws.dir, 'proxied.yml');
    writeFileSync(config, 'http:\n  trustedproxies:\n    - 127.0.0.1/32\n');
    const berth = await ws.serve(ws.fresh(), ['--config', config, '--auth', 'basic', '--access-log']);
    const password = /password: (\S+)/.exec(berth.output())![1]!;

    for (let i = 0; i < 10; i++) expect((await ping(berth, `guess-${i}`, '198.51.100.7')).status).toBe(401);
    expectError(await ping(berth, 'guess-x', '198.51.100.7'), 'TOOMANYREQUESTS', 429);
    // The proxy's other clients (and the real admin among them) are not blocked.
    expect((await ping(berth, password, '198.51.100.8')).status).toBe(200);
    await expect.poll(() => berth.output(), { timeout: 5000 }).toMatch(/ACCESS 198\.51\.100\.8 admin "GET \/v2\/" 200/);
    expect(berth.output()).toContain('auth: failed login for user "admin" from 198.51.100.7');
    expect(berth.output()).toMatch(/ACCESS 198\.51\.100\.7 - "GET \/v2\/" 429/);
    expect(berth.output()).not.toMatch(/failed login for user "admin" from 127\.0\.0\.1/);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy, so it cannot escape the throttle', async () => {
    const config = join(ws.dir, 'proxied-2.yml');
    writeFileSync(config, 'http:\n  trustedproxies: [127.0.0.1/32]\n');
    const berth = await ws.serve(ws.fresh(), ['--config', config, '--auth', 'basic', '--access-log']);
    const spoofer = '127.0.0.2';
    for (let i = 0; i < 10; i++) expect((await ping(berth, `guess-${i}`, `203.0.113.${i + 1}`, spoofer)).status).toBe(401);
    expectError(await ping(berth, 'guess-x', '203.0.113.99', spoofer), 'TOOMANYREQUESTS', 429);
    await expect.poll(() => berth.output(), { timeout: 5000 }).toMatch(/ACCESS 127\.0\.0\.2 - "GET \/v2\/" 429/);
    expect(berth.output()).toContain('auth: failed login for user "admin" from 127.0.0.2');
    expect(berth.output()).not.toContain('203.0.113.');
  });

  it('reads REGISTRY_HTTP_TRUSTEDPROXIES as a comma-separated list', async () => {
    const berth = await ws.serve(ws.fresh(), ['--access-log'], { REGISTRY_HTTP_TRUSTEDPROXIES: '10.0.0.0/8, 127.0.0.1/32' });
    const res = await raw(portOf(berth), 'GET', '/v2/', { headers: { 'X-Forwarded-For': '192.0.2.44, 10.9.9.9' } });
    expect(res.status).toBe(200);
    await expect.poll(() => berth.output(), { timeout: 5000 }).toMatch(/ACCESS 192\.0\.2\.44 - "GET \/v2\/" 200/);
  });
});
