import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConnectionInfo, ConnectionTestResult } from '../../../../../src-server/contract';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { ConnectionsScreen } from './ConnectionsScreen';

const local: ConnectionInfo = { id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '1970-01-01T00:00:00Z' };
const team: ConnectionInfo = { id: 'c1', name: 'Team registry', kind: 'registry', url: 'https://registry.example.com', username: 'alice', hasSecret: true, trust: { mode: 'system' }, repositories: ['team/app'], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };
const cert = { subject: 'CN=registry.example.com', issuer: 'CN=Example CA', names: ['registry.example.com', '10.0.0.5'], validFrom: '2026-01-01T00:00:00Z', validTo: '2027-01-01T00:00:00Z', fingerprintSha256: 'AB:CD:EF:01', selfSigned: false };
const okResult: ConnectionTestResult = { ok: true, url: 'https://registry.example.com', apiVersion: 'registry/2.0', authScheme: 'bearer', catalog: true, certificate: null, latencyMs: 42.4 };
const untrusted: ConnectionTestResult = { ok: false, url: 'https://registry.example.com', apiVersion: null, authScheme: 'none', catalog: false, certificate: cert, error: { code: 'CERT_UNTRUSTED', message: 'self-signed certificate in certificate chain' }, latencyMs: 12 };

const callsOf = (api: ReturnType<typeof createFakeApi>, channel: string) => api.calls.filter((c) => c.channel === channel);
const field = (testId: string) => screen.getByTestId(testId) as HTMLInputElement;
const type = (testId: string, value: string) => fireEvent.change(field(testId), { target: { value } });

describe('ConnectionsScreen', () => {
  it('shows a loader while the connections are read', async () => {
    const api = createFakeApi({ 'connections:list': { pending: true } });
    renderScreen(<ConnectionsScreen />, api);
    expect(await screen.findByText('Loading connections…')).toBeTruthy();
  });

  it('shows an error in words', async () => {
    const api = createFakeApi({ 'connections:list': { error: { code: 'SECRETS_UNAVAILABLE', message: 'the keychain is locked' } } });
    renderScreen(<ConnectionsScreen />, api);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The connections could not be read');
    expect(alert.textContent).toContain('the keychain is locked');
  });

  it('explains connections when there is only the local registry, and offers to add one', async () => {
    const api = createFakeApi({ 'connections:list': [local] });
    renderScreen(<ConnectionsScreen />, api);
    expect(await screen.findByText('No remote registries yet')).toBeTruthy();
    const row = screen.getByRole('row', { name: 'This computer' });
    expect(within(row).getByRole('link', { name: 'Browse This computer' }).getAttribute('href')).toBe('#/browse/local');
    expect(within(row).queryByRole('button', { name: 'Edit This computer' })).toBeNull();
    expect(within(row).queryByRole('button', { name: 'Remove This computer' })).toBeNull();
    fireEvent.click(screen.getByTestId('add-first-connection'));
    expect(await screen.findByRole('dialog', { name: 'Add a connection' })).toBeTruthy();
  });

  it('lists connections, the local one first, with kind, URL, user, stored password and trust', async () => {
    const api = createFakeApi({ 'connections:list': [{ ...team, trust: { mode: 'pin', pinSha256: 'AB' } }, local] });
    renderScreen(<ConnectionsScreen />, api);
    const rows = await screen.findAllByTestId('connection-row');
    expect(rows.map((r) => r.getAttribute('data-connection-id'))).toEqual(['local', 'c1']);
    const row = rows[1]!;
    expect(row.textContent).toContain('Registry (v2)');
    expect(row.textContent).toContain('https://registry.example.com');
    expect(row.textContent).toContain('alice');
    expect(within(row).getByTestId('password-stored')).toBeTruthy();
    expect(row.textContent).toContain('Pinned certificate');
    expect(within(row).getByRole('link', { name: 'Browse Team registry' }).getAttribute('href')).toBe('#/browse/c1');
    expect(screen.queryByText('No remote registries yet')).toBeNull();
  });

  it('adds a Docker Hub connection: the preset fills the URL, names are split', async () => {
    const api = createFakeApi({ 'connections:list': [local], 'connections:add': (d) => ({ ...team, id: 'c2', name: d.name }) });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByTestId('add-connection'));
    await screen.findByRole('dialog', { name: 'Add a connection' });
    type('connection-name', 'Hub');
    fireEvent.click(screen.getByLabelText('Docker Hub'));
    expect(field('connection-url').value).toBe('docker.io');
    type('connection-username', 'bob');
    type('connection-password', 'tok');
    type('connection-namespaces', 'library myorg');
    type('connection-repositories', 'bob/app, bob/tool');
    fireEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(callsOf(api, 'connections:add')).toHaveLength(1));
    expect(callsOf(api, 'connections:add')[0]!.args).toEqual({
      name: 'Hub',
      kind: 'dockerhub',
      url: 'docker.io',
      username: 'bob',
      password: 'tok',
      trust: { mode: 'system' },
      repositories: ['bob/app', 'bob/tool'],
      namespaces: ['library', 'myorg'],
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(callsOf(api, 'connections:list').length).toBeGreaterThan(1));
  });

  it('shows why a connection was not saved', async () => {
    const api = createFakeApi({ 'connections:list': [local], 'connections:add': { error: { code: 'CONNECTION_INVALID', message: 'a connection named "Hub" exists already' } } });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByTestId('add-connection'));
    await screen.findByRole('dialog');
    type('connection-name', 'Hub');
    type('connection-url', 'r.example.com');
    fireEvent.submit(field('connection-name').closest('form')!);
    const alert = await screen.findByText('The connection was not saved');
    expect(alert.closest('[role=alert]')!.textContent).toContain('exists already');
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('edits only the changed fields; a blank password keeps the stored one', async () => {
    const api = createFakeApi({ 'connections:list': [local, team], 'connections:update': ({ id }) => ({ ...team, id }) });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Team registry' }));
    await screen.findByRole('dialog', { name: 'Edit Team registry' });
    expect(field('connection-url').value).toBe('https://registry.example.com');
    type('connection-username', 'carol');
    fireEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(callsOf(api, 'connections:update')).toHaveLength(1));
    expect(callsOf(api, 'connections:update')[0]!.args).toEqual({ id: 'c1', draft: { username: 'carol' } });
  });

  it('asks for the password again when the URL moves to another origin, and says the saved one will not be sent there', async () => {
    const api = createFakeApi({ 'connections:list': [local, team], 'connections:update': ({ id }) => ({ ...team, id, url: 'http://registry.example.com', hasSecret: false }) });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Team registry' }));
    await screen.findByRole('dialog', { name: 'Edit Team registry' });
    // Same origin, another path: the saved password still applies.
    type('connection-url', 'https://registry.example.com/mirror');
    expect(screen.queryByTestId('connection-origin-changed')).toBeNull();
    // https turned into http: another origin.
    type('connection-url', 'http://registry.example.com');
    const warning = screen.getByTestId('connection-origin-changed');
    expect(warning.textContent).toContain('https://registry.example.com');
    expect(warning.textContent).toContain('http://registry.example.com');
    expect(warning.textContent).toMatch(/not sent to/);
    expect(screen.queryByTestId('connection-remove-password')).toBeNull();
    expect(screen.getByTestId('connection-password').closest('.mantine-InputWrapper-root')!.textContent).toContain('Type the password for the new address');
    fireEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(callsOf(api, 'connections:update')).toHaveLength(1));
    expect(callsOf(api, 'connections:update')[0]!.args).toEqual({ id: 'c1', draft: { url: 'http://registry.example.com' } });
    const note = await screen.findByTestId('connection-password-dropped');
    expect(note.textContent).toContain('https://registry.example.com');
  });

  it('sends the password typed for the new origin with the new URL', async () => {
    const api = createFakeApi({ 'connections:list': [local, team], 'connections:update': ({ id }) => ({ ...team, id }) });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Team registry' }));
    await screen.findByRole('dialog');
    type('connection-url', 'registry.example.com:5443');
    expect(screen.getByTestId('connection-origin-changed').textContent).toContain('https://registry.example.com:5443');
    type('connection-password', 'for-the-new-port');
    expect(screen.queryByTestId('connection-origin-changed')).toBeNull();
    fireEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(callsOf(api, 'connections:update')).toHaveLength(1));
    expect(callsOf(api, 'connections:update')[0]!.args).toEqual({ id: 'c1', draft: { url: 'registry.example.com:5443', password: 'for-the-new-port' } });
  });

  it('removes the stored password on request (null)', async () => {
    const api = createFakeApi({ 'connections:list': [local, team], 'connections:update': ({ id }) => ({ ...team, id }) });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Team registry' }));
    await screen.findByRole('dialog');
    fireEvent.click(screen.getByTestId('connection-remove-password'));
    fireEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(callsOf(api, 'connections:update')).toHaveLength(1));
    expect(callsOf(api, 'connections:update')[0]!.args).toEqual({ id: 'c1', draft: { password: null } });
  });

  it('removes a connection after a confirmation that names it', async () => {
    const api = createFakeApi({ 'connections:list': [local, team], 'connections:remove': undefined });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove Team registry' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove Team registry?' });
    expect(dialog.textContent).toContain('https://registry.example.com');
    fireEvent.click(within(dialog).getByTestId('confirm-remove-connection'));
    await waitFor(() => expect(callsOf(api, 'connections:remove')).toHaveLength(1));
    expect(callsOf(api, 'connections:remove')[0]!.args).toEqual({ id: 'c1' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('tests a saved connection from the list: latency, auth scheme, catalog', async () => {
    const api = createFakeApi({ 'connections:list': [local, team], 'connections:test': okResult });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Test Team registry' }));
    const result = await screen.findByTestId('connection-list-test-result');
    expect(callsOf(api, 'connections:test')[0]!.args).toEqual({ id: 'c1' });
    expect(result.textContent).toContain('42 ms');
    expect(result.textContent).toContain('bearer tokens');
    expect(result.textContent).toContain('can be listed');
  });

  it('says a wrong user name or password in words', async () => {
    const api = createFakeApi({
      'connections:list': [local, team],
      'connections:test': { ...okResult, ok: false, error: { code: 'AUTH_FAILED', message: 'unauthorized: incorrect username or password' } },
    });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Test Team registry' }));
    const result = await screen.findByTestId('connection-list-test-result');
    expect(result.getAttribute('data-code')).toBe('AUTH_FAILED');
    expect(result.textContent).toContain('Wrong user name or password');
  });

  it('tests a draft, shows an untrusted certificate and pins it when saved', async () => {
    const api = createFakeApi({ 'connections:list': [local], 'connections:test': untrusted, 'connections:add': (d) => ({ ...team, name: d.name }) });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByTestId('add-connection'));
    await screen.findByRole('dialog');
    type('connection-name', 'Lab');
    type('connection-url', 'registry.example.com');
    fireEvent.click(screen.getByTestId('connection-test'));
    const result = await screen.findByTestId('connection-test-result');
    expect(callsOf(api, 'connections:test')[0]!.args).toEqual({
      draft: { name: 'Lab', kind: 'registry', url: 'registry.example.com', username: null, trust: { mode: 'system' }, repositories: [], namespaces: [] },
    });
    expect(result.textContent).toContain("The registry's certificate is not trusted");
    const shown = within(result).getByTestId('connection-test-certificate');
    for (const text of ['CN=registry.example.com', 'CN=Example CA', 'registry.example.com, 10.0.0.5', 'AB:CD:EF:01']) expect(shown.textContent).toContain(text);
    fireEvent.click(within(result).getByRole('button', { name: 'Trust this certificate' }));
    expect(field('connection-pin').value).toBe('AB:CD:EF:01');
    expect(screen.getByTestId('connection-pinned')).toBeTruthy();
    fireEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(callsOf(api, 'connections:add')).toHaveLength(1));
    expect((callsOf(api, 'connections:add')[0]!.args as { trust: unknown }).trust).toEqual({ mode: 'pin', pinSha256: 'AB:CD:EF:01' });
  });

  it('pins a certificate from the list test through the edit form', async () => {
    const api = createFakeApi({ 'connections:list': [local, team], 'connections:test': untrusted, 'connections:update': ({ id }) => ({ ...team, id }) });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Test Team registry' }));
    const result = await screen.findByTestId('connection-list-test-result');
    fireEvent.click(within(result).getByRole('button', { name: 'Trust this certificate' }));
    await screen.findByRole('dialog', { name: 'Edit Team registry' });
    fireEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(callsOf(api, 'connections:update')).toHaveLength(1));
    expect(callsOf(api, 'connections:update')[0]!.args).toEqual({ id: 'c1', draft: { trust: { mode: 'pin', pinSha256: 'AB:CD:EF:01' } } });
  });

  it('shows a refused test (bad input) as an error', async () => {
    const api = createFakeApi({ 'connections:list': [local], 'connections:test': { error: { code: 'CONNECTION_INVALID', message: 'a registry URL starts with https://' } } });
    renderScreen(<ConnectionsScreen />, api);
    fireEvent.click(await screen.findByTestId('add-connection'));
    await screen.findByRole('dialog');
    type('connection-url', 'ftp://x');
    fireEvent.click(screen.getByTestId('connection-test'));
    expect(await screen.findByText('The test could not run')).toBeTruthy();
    expect(screen.getByText('a registry URL starts with https://')).toBeTruthy();
  });
});
