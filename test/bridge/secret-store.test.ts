/**
 * Where a connection's password really goes under `berth serve --ui`: the server says (secrets:info),
 * and a password saved through the bridge is then found there, in a file only its owner may read,
 * and nowhere in the app database.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { berthWorkspace } from '../helpers/berth-server';
import { invoke, killUiServers, login, startUiServer } from './client';

const ws = berthWorkspace('berth-bridge-secrets-');
afterAll(killUiServers);

describe('secrets:info', () => {
  it('names the file headless Berth keeps passwords in, and the password lands there (mode 0600), not in SQLite', async () => {
    const data = ws.fresh();
    const { berth, password } = await startUiServer(data);
    const admin = await login(berth.url, { username: 'admin', password });
    const info = await invoke(berth.url, admin, 'secrets:info', undefined);
    const file = join(data, 'berth', 'secrets.json');
    expect(info.json).toEqual({ ok: true, result: { kind: 'file', location: file } });

    const secret = 'mirror-Secret-9f3a';
    const added = await invoke(berth.url, admin, 'connections:add', { name: 'mirror', kind: 'registry', url: 'http://127.0.0.1:9', username: 'bot', password: secret });
    expect(added.json.ok, added.text).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(secret);
    expect(readFileSync(join(data, 'berth', 'app.db')).includes(Buffer.from(secret))).toBe(false);
  });
});
