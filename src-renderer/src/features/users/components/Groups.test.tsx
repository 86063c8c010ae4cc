import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { GroupDto, UsersListing } from '../../../../../src-server/contract';
import { createFakeApi, type FakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { UsersScreen } from './UsersScreen';

// Groups on the users screen, and the refusal to lose the last administrator.

const listing: UsersListing = {
  users: [
    { name: 'admin', rules: 'admin@*', groups: [], hasPassword: true },
    { name: 'ci', rules: '', groups: ['builders', 'ops'], hasPassword: true },
    { name: 'dev', rules: 'pull@*', groups: [], hasPassword: true },
  ],
  anonymous: '',
  accessFileExists: true,
  authMode: 'basic',
};
const groups: GroupDto[] = [
  { name: 'builders', rules: 'push@ci/*', members: ['ci'] },
  { name: 'ops', rules: 'delete@*', members: ['ci'] },
];

const callsOf = (api: FakeApi, channel: string) => api.calls.filter((c) => c.channel === channel);
/** The row of a group, once the groups are shown (queries by role stay within it: faster on a busy machine). */
const groupRow = async (name: string) => (await screen.findAllByTestId('group-row')).find((r) => r.getAttribute('data-group') === name)!;
/** The row of a user. */
const userRow = async (name: string) => (await screen.findAllByTestId('user-row')).find((r) => r.getAttribute('data-user') === name)!;
const input = (el: HTMLElement) => el as HTMLInputElement;
const lastAdmin = "cannot remove admin: admin is the only user with admin@*, and the registry would have no administrator left; give another user admin@* first (berth user access NAME 'admin@*')";

describe('groups on the users screen', () => {
  it('shows each user\'s groups and each group\'s rights and members', async () => {
    renderScreen(<UsersScreen />, createFakeApi({ 'users:list': listing, 'groups:list': groups }));
    const ci = await userRow('ci');
    expect(within(ci).getByTestId('user-groups').textContent).toBe('buildersops');
    expect(within(ci).getByTestId('user-rules').textContent).toBe('none of their own');
    const rows = await screen.findAllByTestId('group-row');
    expect(rows.map((r) => r.getAttribute('data-group'))).toEqual(['builders', 'ops']);
    expect(within(rows[0]!).getByTestId('group-rules').textContent).toBe('push@ci/*');
    expect(within(rows[0]!).getByTestId('group-members').textContent).toBe('ci');
  });

  it('says what groups are for when there are none, and why when they cannot be read', async () => {
    renderScreen(<UsersScreen />, createFakeApi({ 'users:list': listing, 'groups:list': [] }));
    expect((await screen.findByTestId('no-groups')).textContent).toContain('gives all its members the same rights');
  });

  it('shows an error in words when the groups cannot be read', async () => {
    renderScreen(<UsersScreen />, createFakeApi({ 'users:list': listing, 'groups:list': { error: { code: 'INTERNAL', message: 'disk trouble' } } }));
    const card = await screen.findByTestId('groups-card');
    expect((await within(card).findByRole('alert')).textContent).toContain('The groups could not be read');
  });

  it('adds a group, refusing a bad name before sending', async () => {
    const api = createFakeApi({ 'users:list': listing, 'groups:list': groups, 'groups:add': ({ name, rules }) => ({ name, rules: rules ?? '', members: [] }) });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByTestId('add-group'));
    const dialog = await screen.findByRole('dialog', { name: 'Add a group' });
    fireEvent.change(within(dialog).getByTestId('group-name'), { target: { value: 'Build Team' } });
    expect(within(dialog).getByText("1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter")).toBeTruthy();
    fireEvent.click(within(dialog).getByTestId('save-group'));
    expect(callsOf(api, 'groups:add')).toHaveLength(0);
    fireEvent.change(within(dialog).getByTestId('group-name'), { target: { value: 'qa' } });
    fireEvent.change(within(dialog).getByTestId('group-rights'), { target: { value: 'push@qa/*' } });
    fireEvent.click(within(dialog).getByTestId('save-group'));
    await waitFor(() => expect(callsOf(api, 'groups:add')).toHaveLength(1));
    expect(callsOf(api, 'groups:add')[0]!.args).toEqual({ name: 'qa', rules: 'push@qa/*' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // Users and groups are read again: members and a user's groups change together.
    await waitFor(() => expect(callsOf(api, 'groups:list').length).toBeGreaterThan(1));
    expect(callsOf(api, 'users:list').length).toBeGreaterThan(1);
  });

  it('shows why the server refused a group', async () => {
    const api = createFakeApi({ 'users:list': listing, 'groups:list': groups, 'groups:add': { error: { code: 'NAME_TAKEN', message: 'dev is the name of a user: users and groups need different names' } } });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByTestId('add-group'));
    const dialog = await screen.findByRole('dialog', { name: 'Add a group' });
    fireEvent.change(within(dialog).getByTestId('group-name'), { target: { value: 'dev' } });
    fireEvent.click(within(dialog).getByTestId('save-group'));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toBe('The group was not addeddev is the name of a user: users and groups need different names');
  });

  it('edits a group\'s rights', async () => {
    const api = createFakeApi({ 'users:list': listing, 'groups:list': groups, 'groups:set-access': ({ name, rules }) => ({ name, rules, members: ['ci'] }) });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(within(await groupRow('builders')).getByRole('button', { name: 'Edit rights of group builders' }));
    const dialog = await screen.findByRole('dialog', { name: 'Rights of group builders' });
    expect(input(within(dialog).getByTestId('group-rights')).value).toBe('push@ci/*');
    fireEvent.change(within(dialog).getByTestId('group-rights'), { target: { value: 'push@ci/*,delete@ci/*' } });
    fireEvent.click(within(dialog).getByTestId('save-group-rights'));
    await waitFor(() => expect(callsOf(api, 'groups:set-access')).toHaveLength(1));
    expect(callsOf(api, 'groups:set-access')[0]!.args).toEqual({ name: 'builders', rules: 'push@ci/*,delete@ci/*' });
  });

  it('removes a group after a confirmation naming the members who lose its rights', async () => {
    const api = createFakeApi({ 'users:list': listing, 'groups:list': groups, 'groups:remove': { members: ['ci'] } });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(within(await groupRow('ops')).getByRole('button', { name: 'Remove group ops' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove group ops?' });
    expect(within(dialog).getByTestId('remove-group-effect').textContent).toBe('ci loses the rights of ops; their own rights and other groups stay.');
    fireEvent.click(within(dialog).getByTestId('confirm-remove-group'));
    await waitFor(() => expect(callsOf(api, 'groups:remove')).toHaveLength(1));
    expect(callsOf(api, 'groups:remove')[0]!.args).toEqual({ name: 'ops' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('sets a user\'s groups with checkboxes', async () => {
    const api = createFakeApi({ 'users:list': listing, 'groups:list': groups, 'users:set-groups': ({ name, groups: g }) => ({ name, rules: 'pull@*', groups: g, hasPassword: true }) });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(within(await userRow('dev')).getByRole('button', { name: 'Edit groups of dev' }));
    const dialog = await screen.findByRole('dialog', { name: 'Groups of dev' });
    const ops = await within(dialog).findByRole('checkbox', { name: 'ops' });
    expect(input(ops).checked).toBe(false);
    fireEvent.click(ops);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'builders' }));
    fireEvent.click(within(dialog).getByTestId('save-user-groups'));
    await waitFor(() => expect(callsOf(api, 'users:set-groups')).toHaveLength(1));
    // In the groups' order, whatever the order of the clicks.
    expect(callsOf(api, 'users:set-groups')[0]!.args).toEqual({ name: 'dev', groups: ['builders', 'ops'] });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('takes a user out of every group', async () => {
    const api = createFakeApi({ 'users:list': listing, 'groups:list': groups, 'users:set-groups': ({ name, groups: g }) => ({ name, rules: '', groups: g, hasPassword: true }) });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(within(await userRow('ci')).getByRole('button', { name: 'Edit groups of ci' }));
    const dialog = await screen.findByRole('dialog', { name: 'Groups of ci' });
    for (const name of ['builders', 'ops']) {
      const box = await within(dialog).findByRole('checkbox', { name });
      expect(input(box).checked).toBe(true);
      fireEvent.click(box);
    }
    fireEvent.click(within(dialog).getByTestId('save-user-groups'));
    await waitFor(() => expect(callsOf(api, 'users:set-groups')).toHaveLength(1));
    expect(callsOf(api, 'users:set-groups')[0]!.args).toEqual({ name: 'ci', groups: [] });
  });

  it('adds a user straight into groups', async () => {
    const api = createFakeApi({ 'users:list': listing, 'groups:list': groups, 'users:add': ({ name, rules, groups: g }) => ({ name, rules: rules ?? '', groups: g ?? [], hasPassword: true }) });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(await screen.findByTestId('add-user'));
    const dialog = await screen.findByRole('dialog', { name: 'Add a user' });
    fireEvent.change(within(dialog).getByTestId('user-name'), { target: { value: 'bot' } });
    fireEvent.change(within(dialog).getByTestId('user-password'), { target: { value: 'bot-secret-pw' } });
    fireEvent.change(within(dialog).getByTestId('user-rights'), { target: { value: '' } });
    fireEvent.click(await within(dialog).findByRole('checkbox', { name: 'builders' }));
    fireEvent.click(within(dialog).getByTestId('save-user'));
    await waitFor(() => expect(callsOf(api, 'users:add')).toHaveLength(1));
    expect(callsOf(api, 'users:add')[0]!.args).toEqual({ name: 'bot', password: 'bot-secret-pw', rules: '', groups: ['builders'] });
  });
});

describe('the last administrator', () => {
  it('is not removed: the dialog says why, in words, and stays open', async () => {
    const api = createFakeApi({ 'users:list': listing, 'groups:list': groups, 'users:remove': { error: { code: 'LAST_ADMIN', message: lastAdmin } } });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(within(await userRow('admin')).getByRole('button', { name: 'Remove admin' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove admin?' });
    fireEvent.click(within(dialog).getByTestId('confirm-remove-user'));
    const alert = await within(dialog).findByRole('alert');
    // Its own title: a rule of Berth, not a failure to try again.
    expect(alert.textContent).toMatch(/^Berth needs at least one administratorcannot remove admin: /);
    expect(alert.textContent).toContain('admin is the only user with admin@*');
    expect(alert.textContent).toContain("give another user admin@* first (berth user access NAME 'admin@*')");
    expect(screen.getByRole('dialog', { name: 'Remove admin?' })).toBeTruthy();
  });

  it('keeps admin@*: rights, groups and a group that is its only source are refused in words', async () => {
    const why = 'admin (through group ops) is the only user with admin@*';
    const api = createFakeApi({
      'users:list': listing,
      'groups:list': groups,
      'users:set-rights': { error: { code: 'LAST_ADMIN', message: `cannot change the rights of admin: ${why}` } },
      'groups:remove': { error: { code: 'LAST_ADMIN', message: `cannot remove group ops: ${why}` } },
    });
    renderScreen(<UsersScreen />, api);
    fireEvent.click(within(await userRow('admin')).getByRole('button', { name: 'Edit rights of admin' }));
    let dialog = await screen.findByRole('dialog', { name: 'Rights of admin' });
    fireEvent.change(within(dialog).getByTestId('user-rights'), { target: { value: 'pull@*' } });
    fireEvent.click(within(dialog).getByTestId('save-rights'));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(`Berth needs at least one administratorcannot change the rights of admin: ${why}`);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    fireEvent.click(within(await groupRow('ops')).getByRole('button', { name: 'Remove group ops' }));
    dialog = await screen.findByRole('dialog', { name: 'Remove group ops?' });
    fireEvent.click(within(dialog).getByTestId('confirm-remove-group'));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(`cannot remove group ops: ${why}`);
  });
});
