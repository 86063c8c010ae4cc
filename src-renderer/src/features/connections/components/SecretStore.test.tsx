import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ApiError, ConnectionInfo, SecretStoreInfo } from '../../../../../src-server/contract';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { ConnectionsScreen } from './ConnectionsScreen';

const local: ConnectionInfo = { id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '1970-01-01T00:00:00Z' };
const team: ConnectionInfo = { id: 'c1', name: 'Team registry', kind: 'registry', url: 'https://registry.example.com', username: 'alice', hasSecret: true, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };

/** Opens the Add dialog with the server answering `info` to secrets:info; returns the password field's wrapper. */
async function addDialog(info: SecretStoreInfo | { error: ApiError }): Promise<HTMLElement> {
  renderScreen(<ConnectionsScreen />, createFakeApi({ 'connections:list': [local, team], 'secrets:info': info }));
  fireEvent.click(await screen.findByTestId('add-connection'));
  const dialog = await screen.findByRole('dialog', { name: 'Add a connection' });
  return within(dialog).getByTestId('connection-password').closest('.mantine-InputWrapper-root') as HTMLElement;
}

describe('where connection passwords go, as the server says', () => {
  it('names the secrets file under berth serve --ui, never the keychain', async () => {
    const field = await addDialog({ kind: 'file', location: '/srv/berth/berth/secrets.json' });
    expect(await within(field).findByText('Kept in /srv/berth/berth/secrets.json, readable only by you (in plain text).')).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/keychain/i);
  });

  it('names the OS keychain in the desktop app', async () => {
    const field = await addDialog({ kind: 'keychain', location: null });
    expect(await within(field).findByText('Kept in the OS keychain.')).toBeTruthy();
  });

  it('claims no place it does not know', async () => {
    const field = await addDialog({ error: { code: 'UNSUPPORTED', message: 'no' } });
    expect(await within(field).findByText("Kept outside Berth's database.")).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/keychain/i);
  });

  it('says where in the tooltip of a stored password', async () => {
    renderScreen(<ConnectionsScreen />, createFakeApi({ 'connections:list': [local, team], 'secrets:info': { kind: 'file', location: '/srv/berth/berth/secrets.json' } }));
    fireEvent.mouseEnter(await screen.findByTestId('password-stored'));
    expect(await screen.findByText('A password or token is stored in /srv/berth/berth/secrets.json')).toBeTruthy();
  });
});
