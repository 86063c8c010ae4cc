import { QueryClient } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { UsersListing } from '../../../../../src-server/contract';
import { Providers, createQueryClient } from '../../../app/Providers';
import { createFakeApi, type FakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { userKeys } from '../queries';
import { UsersScreen } from './UsersScreen';

const listing: UsersListing = {
  users: [
    { name: 'admin', rules: 'admin@*', groups: [], hasPassword: true },
    { name: 'ci', rules: 'pull@*,push@team/*', groups: [], hasPassword: true },
    { name: 'ghost', rules: 'pull@*', groups: [], hasPassword: false },
  ],
  anonymous: '',
  accessFileExists: true,
  authMode: 'basic',
};

const callsOf = (api: FakeApi, channel: string) => api.calls.filter((c) => c.channel === channel);
const input = (el: HTMLElement) => el as HTMLInputElement;

describe('UsersScreen', () => {
  it('shows a loader while the users are read', async () => {
    renderScreen(<UsersScreen />, createFakeApi({ 'users:list': { pending: true } }));
    expect(await screen.findByText('Loading users…')).toBeTruthy();
  });

  it('shows an error in words', async () => {
    renderScreen(<UsersScreen />, createFakeApi({ 'users:list': { error: { code: 'DENIED', message: 'admin right needed' } } }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The users could not be read');
    expect(alert.textContent).toContain('admin right needed');
  });

  it('says what to do when there are no users, without logins and without an access file', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': { users: [], anonymous: '', accessFileExists: false, authMode: 'none' } });
    renderScreen(<UsersScreen />, api);
    expect(await screen.findByText('No users yet')).toBeTruthy();
    expect(screen.getByTestId('auth-mode').textContent).toContain('take effect once authentication is turned on');
    expect(screen.getByTestId('no-access-file').textContent).toContain('every user who logs in may pull, push and delete');
    fireEvent.click(screen.getByTestId('add-first-user'));
    expect(await screen.findByRole('dialog', { name: 'Add a user' })).toBeTruthy();
    expect(api.calls.some((c) => c.channel === 'users:initial-password')).toBe(false);
  });

  it('lists users with their rights and whether they can log in', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': { ...listing, anonymous: 'pull@public/*' } });
    renderScreen(<UsersScreen />, api);
    const rows = await screen.findAllByTestId('user-row');
    expect(rows.map((r) => r.getAttribute('data-user'))).toEqual(['admin', 'ci', 'ghost']);
    expect(within(rows[1]!).getByTestId('user-rules').textContent).toBe('pull@*,push@team/*');
    expect(rows[0]!.textContent).toContain('yes');
    expect(rows[2]!.textContent).toContain('no password');
    expect(within(rows[2]!).getByRole('button', { name: 'Change password of ghost' }).textContent).toBe('Set password');
    expect(screen.getByTestId('auth-mode').textContent).toContain('basic authentication');
    expect(screen.queryByTestId('no-access-file')).toBeNull();
    expect(input(screen.getByTestId('anonymous-rights')).value).toBe('pull@public/*');
    expect(screen.getByTestId('rights-help').textContent).toContain('team/a/b');
    expect(api.calls.some((c) => c.channel === 'users:initial-password')).toBe(false);
  });

  it('adds a user with a generated password and rights chosen from an example', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': listing, 'users:add': ({ name, rules }) => ({ name, rules: rules ?? '', groups: [], hasPassword: true }) });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByTestId('add-user'));
    const dialog = await screen.findByRole('dialog', { name: 'Add a user' });
    fireEvent.change(within(dialog).getByTestId('user-name'), { target: { value: 'dev' } });
    fireEvent.click(within(dialog).getByTestId('generate-password'));
    const password = input(within(dialog).getByTestId('user-password')).value;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(input(within(dialog).getByTestId('user-password')).type).toBe('text');
    fireEvent.click(within(dialog).getByRole('button', { name: 'pull@*,push@team/*: read all, push under team/' }));
    expect(input(within(dialog).getByTestId('user-rights')).value).toBe('pull@*,push@team/*');
    fireEvent.click(within(dialog).getByTestId('save-user'));
    await waitFor(() => expect(callsOf(api, 'users:add')).toHaveLength(1));
    expect(callsOf(api, 'users:add')[0]!.args).toEqual({ name: 'dev', password, rules: 'pull@*,push@team/*' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(callsOf(api, 'users:list').length).toBeGreaterThan(1));
  });

  it('says why bad rights are refused before sending, and why the server refused a user', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': listing, 'users:add': { error: { code: 'USER_EXISTS', message: 'user dev exists' } } });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByTestId('add-user'));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByTestId('user-name'), { target: { value: 'dev' } });
    fireEvent.change(within(dialog).getByTestId('user-password'), { target: { value: 'secret-password' } });
    fireEvent.change(within(dialog).getByTestId('user-rights'), { target: { value: 'read@*' } });
    expect(within(dialog).getByText(/unknown right "read"/)).toBeTruthy();
    fireEvent.click(within(dialog).getByTestId('save-user'));
    expect(callsOf(api, 'users:add')).toHaveLength(0);
    fireEvent.change(within(dialog).getByTestId('user-rights'), { target: { value: 'pull@*' } });
    fireEvent.click(within(dialog).getByTestId('save-user'));
    expect(await within(dialog).findByText('That user exists already')).toBeTruthy();
  });

  it('offers its own Change password for an existing user, never the command line', async () => {
    const api = createFakeApi({
      'groups:list': [],
      'users:list': listing,
      'users:add': { error: { code: 'USER_EXISTS', message: 'user ci already exists (change the password with `berth user passwd ci`)' } },
      'users:set-password': undefined,
    });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByTestId('add-user'));
    const dialog = await screen.findByRole('dialog', { name: 'Add a user' });
    fireEvent.change(within(dialog).getByTestId('user-name'), { target: { value: 'ci' } });
    fireEvent.change(within(dialog).getByTestId('user-password'), { target: { value: 'ci-password-123' } });
    fireEvent.click(within(dialog).getByTestId('save-user'));
    const alert = await within(dialog).findByTestId('user-exists');
    expect(alert.textContent).toContain('ci is already a user.');
    expect(dialog.textContent).not.toContain('berth user passwd');
    fireEvent.click(within(alert).getByRole('button', { name: 'Change the password of ci' }));
    const change = await screen.findByRole('dialog', { name: 'New password for ci' });
    fireEvent.change(within(change).getByTestId('user-password'), { target: { value: 'ci-password-456' } });
    fireEvent.click(within(change).getByTestId('save-password'));
    await waitFor(() => expect(callsOf(api, 'users:set-password')).toEqual([{ channel: 'users:set-password', args: { name: 'ci', password: 'ci-password-456' } }]));
  });

  it('clears a refusal of the server when the field it is about changes, and only then', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': listing, 'users:add': { error: { code: 'USER_NAME_INVALID', message: 'invalid user name "d v": no \':\', spaces or control characters' } } });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByTestId('add-user'));
    const dialog = await screen.findByRole('dialog', { name: 'Add a user' });
    fireEvent.change(within(dialog).getByTestId('user-name'), { target: { value: 'd v' } });
    fireEvent.change(within(dialog).getByTestId('user-password'), { target: { value: 'dv-password-123' } });
    fireEvent.click(within(dialog).getByTestId('save-user'));
    expect(await within(dialog).findByText(/invalid user name "d v"/)).toBeTruthy();
    // The password and rights are not what was refused: the message stays.
    fireEvent.change(within(dialog).getByTestId('user-password'), { target: { value: 'dv-password-456' } });
    fireEvent.change(within(dialog).getByTestId('user-rights'), { target: { value: 'push@*' } });
    expect(within(dialog).getByText(/invalid user name "d v"/)).toBeTruthy();
    fireEvent.change(within(dialog).getByTestId('user-name'), { target: { value: 'dv' } });
    expect(within(dialog).queryByText(/invalid user name/)).toBeNull();

    api.answer('users:add', { error: { code: 'PASSWORD_INVALID', message: 'the password is longer than 72 bytes; bcrypt would ignore the rest', detail: { minLength: 12 } } });
    fireEvent.click(within(dialog).getByTestId('save-user'));
    expect(await within(dialog).findByText(/longer than 72 bytes/)).toBeTruthy();
    fireEvent.change(within(dialog).getByTestId('user-name'), { target: { value: 'dv2' } });
    expect(within(dialog).getByText(/longer than 72 bytes/)).toBeTruthy();
    fireEvent.change(within(dialog).getByTestId('user-password'), { target: { value: 'dv-password-789' } });
    expect(within(dialog).queryByText(/longer than 72 bytes/)).toBeNull();
  });

  it('says the password minimum before saving, and sends nothing shorter', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': listing, 'users:add': ({ name }) => ({ name, rules: '', groups: [], hasPassword: true }), 'users:set-password': undefined });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByTestId('add-user'));
    const dialog = await screen.findByRole('dialog', { name: 'Add a user' });
    expect(dialog.textContent).toContain('At least 12 characters');
    fireEvent.change(within(dialog).getByTestId('user-name'), { target: { value: 'dev' } });
    fireEvent.change(within(dialog).getByTestId('user-password'), { target: { value: 'abc' } });
    expect(within(dialog).getByText('The password has 3 characters; use at least 12.')).toBeTruthy();
    fireEvent.click(within(dialog).getByTestId('save-user'));
    expect(callsOf(api, 'users:add')).toHaveLength(0);
    fireEvent.change(within(dialog).getByTestId('user-password'), { target: { value: 'long-enough-pw' } });
    expect(within(dialog).queryByText(/use at least 12/)).toBeNull();
    fireEvent.click(within(dialog).getByTestId('save-user'));
    await waitFor(() => expect(callsOf(api, 'users:add')).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    fireEvent.click(screen.getByRole('button', { name: 'Change password of ci' }));
    const change = await screen.findByRole('dialog', { name: 'New password for ci' });
    fireEvent.change(within(change).getByTestId('user-password'), { target: { value: 'short' } });
    expect(within(change).getByText('The password has 5 characters; use at least 12.')).toBeTruthy();
    fireEvent.click(within(change).getByTestId('save-password'));
    expect(callsOf(api, 'users:set-password')).toHaveLength(0);
  });

  it('changes a password', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': listing, 'users:set-password': undefined });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Change password of ci' }));
    const dialog = await screen.findByRole('dialog', { name: 'New password for ci' });
    fireEvent.change(within(dialog).getByTestId('user-password'), { target: { value: 'n3w-secret-pw' } });
    fireEvent.click(within(dialog).getByTestId('save-password'));
    await waitFor(() => expect(callsOf(api, 'users:set-password')).toHaveLength(1));
    expect(callsOf(api, 'users:set-password')[0]!.args).toEqual({ name: 'ci', password: 'n3w-secret-pw' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('edits rights', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': listing, 'users:set-rights': ({ name, rules }) => ({ name, rules, groups: [], hasPassword: true }) });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit rights of ci' }));
    const dialog = await screen.findByRole('dialog', { name: 'Rights of ci' });
    expect(input(within(dialog).getByTestId('user-rights')).value).toBe('pull@*,push@team/*');
    fireEvent.change(within(dialog).getByTestId('user-rights'), { target: { value: 'push@ci/*,delete@ci/*' } });
    fireEvent.submit(within(dialog).getByTestId('user-rights').closest('form')!);
    await waitFor(() => expect(callsOf(api, 'users:set-rights')).toHaveLength(1));
    expect(callsOf(api, 'users:set-rights')[0]!.args).toEqual({ name: 'ci', rules: 'push@ci/*,delete@ci/*' });
  });

  it('shows why rights were not saved', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': listing, 'users:set-rights': { error: { code: 'RULES_INVALID', message: 'invalid repository pattern' } } });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit rights of ci' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByTestId('save-rights'));
    expect(await within(dialog).findByText('The rights were not saved')).toBeTruthy();
  });

  it('removes a user after a confirmation that names them', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': listing, 'users:remove': undefined });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove ghost' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove ghost?' });
    fireEvent.click(within(dialog).getByTestId('confirm-remove-user'));
    await waitFor(() => expect(callsOf(api, 'users:remove')).toHaveLength(1));
    expect(callsOf(api, 'users:remove')[0]!.args).toEqual({ name: 'ghost' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('sets the anonymous rights from an example', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': listing, 'users:set-anonymous': ({ rules }) => ({ ...listing, anonymous: rules }) });
    renderScreen(<UsersScreen />, api);
    const field = await screen.findByTestId('anonymous-rights');
    const card = field.closest('form')!;
    fireEvent.click(within(card).getByRole('button', { name: 'pull@*: read everything' }));
    fireEvent.click(within(card).getByTestId('save-anonymous'));
    await waitFor(() => expect(callsOf(api, 'users:set-anonymous')).toHaveLength(1));
    expect(callsOf(api, 'users:set-anonymous')[0]!.args).toEqual({ rules: 'pull@*' });
    await waitFor(() => expect(screen.getByTestId('anonymous-current').textContent).toBe('pull@*'));
  });

  it('shows the one-time admin password the registry screen received, without asking for it', async () => {
    const api = createFakeApi({ 'groups:list': [], 'users:list': listing });
    const client: QueryClient = createQueryClient();
    client.setQueryData(userKeys.initialPassword, { user: 'admin', password: 'Xy7-once' });
    render(
      <Providers api={api} client={client}>
        <UsersScreen />
      </Providers>,
    );
    const box = await screen.findByTestId('initial-password');
    expect(box.textContent).toContain('Xy7-once');
    fireEvent.click(within(box).getByRole('button', { name: 'I saved it' }));
    await waitFor(() => expect(screen.queryByTestId('initial-password')).toBeNull());
    expect(api.calls.some((c) => c.channel === 'users:initial-password')).toBe(false);
  });
});
