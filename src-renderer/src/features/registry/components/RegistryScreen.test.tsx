import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { REGISTRY_STOPPED_BY_USER, type LocalSettings, type RegistryStatus, type UsageReport } from '../../../../../src-server/contract';
import { Shell } from '../../../app/Shell';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { RegistryScreen } from './RegistryScreen';

const running: RegistryStatus = {
  running: true,
  url: 'http://127.0.0.1:5000',
  tlsUrl: 'https://127.0.0.1:5443',
  dataDir: '/var/lib/berth',
  startedAt: '2026-01-02T03:04:05Z',
  controllable: true,
};
const stopped: RegistryStatus = { ...running, running: false, url: null, tlsUrl: null, startedAt: null };
const usage: UsageReport = {
  totals: { repositories: 3, manifests: 7, blobs: 20, stored: 12_300_000, reclaimable: 1_500_000, reclaimableUntagged: 1_500_000 , trashItems: 0, trashHeldBytes: 0},
  repositories: [],
};
const settings: LocalSettings = {
  listen: '127.0.0.1:5000',
  tlsListen: '127.0.0.1:5443',
  dataDir: '/var/lib/berth',
  proxy: null,
  deleteEnabled: true,
  authMode: 'basic',
};

function fake(over: Parameters<typeof createFakeApi>[0] = {}) {
  return createFakeApi({
    'registry:status': running,
    'usage:registry': usage,
    'settings:get': settings,
    'users:initial-password': null,
    ...over,
  });
}

const callsOf = (api: ReturnType<typeof fake>, channel: string) => api.calls.filter((c) => c.channel === channel);

/** The error Mantine shows under the input `testId` (tied to it by aria-describedby), or null. */
function fieldError(testId: string): string | null {
  const input = screen.getByTestId(testId);
  const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  const error = ids.map((id) => document.getElementById(id)).find((e) => e !== null && e.id.endsWith('-error'));
  return error?.textContent ?? null;
}

describe('RegistryScreen', () => {
  it('names the bucket when the content lives in S3', async () => {
    renderScreen(<RegistryScreen />, fake({ 'registry:status': { ...running, bucket: 's3://registry/reg at http://127.0.0.1:7480' } }));
    expect((await screen.findByTestId('registry-bucket')).textContent).toBe('s3://registry/reg at http://127.0.0.1:7480');
  });

  it('shows a loading state while the status is asked', async () => {
    renderScreen(<RegistryScreen />, fake({ 'registry:status': { pending: true } }));
    expect(await screen.findByText('Asking the registry…')).toBeTruthy();
  });

  it('shows status, addresses, storage and commands of a running registry', async () => {
    renderScreen(<RegistryScreen />, fake());
    expect((await screen.findByTestId('registry-status')).textContent).toBe('running');
    expect(screen.getByTestId('registry-url').textContent).toBe('http://127.0.0.1:5000');
    expect(screen.getByTestId('registry-tls-url').textContent).toBe('https://127.0.0.1:5443');
    expect(screen.getByTestId('registry-data-dir').textContent).toBe('/var/lib/berth');
    // Content on the filesystem: no bucket row.
    expect(screen.queryByTestId('registry-bucket')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('registry-usage').textContent).toContain('12.3 MB in 3 repositories · GC could free 1.50 MB'));
    expect(screen.getByTestId('command-docker-login').textContent).toContain('docker login 127.0.0.1:5000 -u admin');
    expect(screen.getByTestId('command-docker-push').textContent).toContain('docker tag alpine:3 127.0.0.1:5000/alpine:3');
    expect(screen.getByTestId('command-docker-push').textContent).toContain('docker push 127.0.0.1:5000/alpine:3');
    expect(screen.getByTestId('command-docker-pull').textContent).toContain('docker pull 127.0.0.1:5000/alpine:3');
    fireEvent.click(screen.getByRole('tab', { name: 'podman' }));
    expect((await screen.findByTestId('command-podman-pull')).textContent).toContain('podman pull --tls-verify=false 127.0.0.1:5000/alpine:3');
    fireEvent.click(screen.getByRole('tab', { name: 'skopeo' }));
    expect((await screen.findByTestId('command-skopeo-copy')).textContent).toContain('skopeo copy --dest-tls-verify=false docker://alpine:3 docker://127.0.0.1:5000/alpine:3');
    expect((screen.getByTestId('registry-start') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('registry-stop') as HTMLButtonElement).disabled).toBe(false);
  });

  it('commands follow the image name and the chosen address', async () => {
    renderScreen(<RegistryScreen />, fake());
    const input = await screen.findByLabelText('Image name');
    fireEvent.change(input, { target: { value: 'ghcr.io/org/app:1' } });
    expect(screen.getByTestId('command-docker-push').textContent).toContain('docker tag ghcr.io/org/app:1 127.0.0.1:5000/org/app:1');
    fireEvent.click(screen.getByText('HTTPS 127.0.0.1:5443'));
    fireEvent.click(screen.getByRole('tab', { name: 'podman' }));
    await waitFor(() => expect(screen.getByTestId('command-podman-pull').textContent).toContain('podman pull 127.0.0.1:5443/org/app:1'));
  });

  it('an empty registry says how to fill it; a stopped one asks to start it', async () => {
    renderScreen(<RegistryScreen />, fake({ 'registry:status': stopped, 'usage:registry': { ...usage, totals: { ...usage.totals, repositories: 0, stored: 0, reclaimable: 0, reclaimableUntagged: 0 , trashItems: 0, trashHeldBytes: 0} } }));
    expect((await screen.findByTestId('registry-status')).textContent).toBe('stopped');
    expect(await screen.findByText(/Empty: push an image/)).toBeTruthy();
    expect(screen.getByText('Start it to see the commands for docker, podman and skopeo.')).toBeTruthy();
  });

  it('shows the status error in words', async () => {
    renderScreen(<RegistryScreen />, fake({ 'registry:status': { error: { code: 'OFFLINE', message: 'no answer from berth serve' } } }));
    expect(await screen.findByText('no answer from berth serve')).toBeTruthy();
    expect(screen.getByText("The registry's status is not available")).toBeTruthy();
  });

  it('shows the reason the registry stopped', async () => {
    renderScreen(<RegistryScreen />, fake({ 'registry:status': { ...stopped, error: 'port 5000 is in use' } }));
    expect((await screen.findByTestId('registry-error')).textContent).toContain('port 5000 is in use');
  });

  it('starts and stops the registry, following status events', async () => {
    const api = fake({ 'registry:status': stopped, 'registry:start': running, 'registry:stop': stopped, 'connections:list': [] });
    renderScreen(
      <Shell route={{ screen: 'registry' }}>
        <RegistryScreen />
      </Shell>,
      api,
    );
    fireEvent.click(await screen.findByTestId('registry-start'));
    await waitFor(() => expect(screen.getByTestId('registry-status').textContent).toBe('running'));
    expect(callsOf(api, 'registry:start')).toEqual([{ channel: 'registry:start', args: undefined }]);
    fireEvent.click(screen.getByTestId('registry-stop'));
    fireEvent.click(within(await screen.findByRole('dialog', { name: 'Stop the registry?' })).getByTestId('registry-stop-confirm'));
    await waitFor(() => expect(screen.getByTestId('registry-status').textContent).toBe('stopped'));
    expect(callsOf(api, 'registry:stop')).toEqual([{ channel: 'registry:stop', args: undefined }]);
    api.emit('registry:status-changed', running);
    await waitFor(() => expect(screen.getByTestId('registry-status').textContent).toBe('running'));
  });

  it('asks before it stops, saying transfers are cut off and clients get 503; Cancel keeps it running', async () => {
    const api = fake({ 'registry:stop': { ...stopped, error: REGISTRY_STOPPED_BY_USER, whileStopped: 'unavailable' } });
    renderScreen(<RegistryScreen />, api);
    fireEvent.click(await screen.findByTestId('registry-stop'));
    const dialog = await screen.findByRole('dialog', { name: 'Stop the registry?' });
    expect(dialog.textContent).toContain('Pushes and pulls in progress are cut off');
    expect(dialog.textContent).toContain('503 Service Unavailable');
    expect(callsOf(api, 'registry:stop')).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(callsOf(api, 'registry:stop')).toHaveLength(0);
    expect(screen.getByTestId('registry-status').textContent).toBe('running');

    fireEvent.click(screen.getByTestId('registry-stop'));
    fireEvent.click(within(await screen.findByRole('dialog', { name: 'Stop the registry?' })).getByTestId('registry-stop-confirm'));
    await waitFor(() => expect(screen.getByTestId('registry-status').textContent).toBe('stopped'));
    expect(callsOf(api, 'registry:stop')).toHaveLength(1);
  });

  it('says the desktop closes the port when it stops', async () => {
    renderScreen(<RegistryScreen />, fake({ 'registry:status': { ...running, whileStopped: 'closed' } }));
    fireEvent.click(await screen.findByTestId('registry-stop'));
    const dialog = await screen.findByRole('dialog', { name: 'Stop the registry?' });
    expect(dialog.textContent).toContain('closes its port');
    expect(dialog.textContent).not.toContain('503');
  });

  it('shows a stop the user asked for as a calm stopped state, not as a problem', async () => {
    renderScreen(<RegistryScreen />, fake({ 'registry:status': { ...stopped, error: REGISTRY_STOPPED_BY_USER, whileStopped: 'unavailable' } }));
    const note = await screen.findByTestId('registry-stopped');
    expect(note.textContent).toContain('You stopped the registry');
    expect(note.textContent).toContain('503');
    expect(screen.queryByTestId('registry-error')).toBeNull();
    expect(screen.queryByText('The registry reported a problem')).toBeNull();
    expect(screen.getByTestId('registry-status').textContent).toBe('stopped');
  });

  it('shows a failed start in words', async () => {
    renderScreen(<RegistryScreen />, fake({ 'registry:status': stopped, 'registry:start': { error: { code: 'UNAVAILABLE', message: 'address in use' } } }));
    fireEvent.click(await screen.findByTestId('registry-start'));
    expect(await screen.findByText('address in use')).toBeTruthy();
  });

  it('disables start and stop when the registry cannot be controlled', async () => {
    renderScreen(<RegistryScreen />, fake({ 'registry:status': { ...running, controllable: false } }));
    expect(((await screen.findByTestId('registry-stop')) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('registry-start') as HTMLButtonElement).disabled).toBe(true);
  });

  it('saves only changed settings and says when a restart is required', async () => {
    const api = fake({ 'settings:set': (patch) => ({ settings: { ...settings, listen: patch.listen ?? settings.listen, deleteEnabled: patch.deleteEnabled ?? settings.deleteEnabled }, restartRequired: true }) });
    renderScreen(<RegistryScreen />, api);
    const listen = await screen.findByTestId('settings-listen');
    expect((screen.getByTestId('settings-save') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(listen, { target: { value: '0.0.0.0:5000' } });
    fireEvent.click(screen.getByTestId('settings-delete-enabled'));
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(await screen.findByTestId('settings-restart-required')).toBeTruthy();
    expect(callsOf(api, 'settings:set')).toEqual([{ channel: 'settings:set', args: { listen: '0.0.0.0:5000', deleteEnabled: false } }]);
    expect(((await screen.findByTestId('settings-listen')) as HTMLInputElement).value).toBe('0.0.0.0:5000');
  });

  it('sends an upstream URL, removes it, and clears the HTTPS address as null', async () => {
    const api = fake({ 'settings:get': { ...settings, proxy: { remoteUrl: 'https://hub.example', username: 'u' } }, 'settings:set': { settings, restartRequired: false } });
    renderScreen(<RegistryScreen />, api);
    fireEvent.change(await screen.findByTestId('settings-proxy-url'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('settings-tls-listen'), { target: { value: '' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Registry settings' }));
    await waitFor(() => expect(callsOf(api, 'settings:set')).toEqual([{ channel: 'settings:set', args: { tlsListen: null, proxy: null } }]));
  });

  it('shows the server refusing upstream credentials in words', async () => {
    const message = 'proxy credentials: use the config file (proxy.username and proxy.password); Berth does not store them in settings.json';
    const api = fake({ 'settings:set': { error: { code: 'SETTINGS_INVALID', message, detail: { field: 'proxy' } } } });
    renderScreen(<RegistryScreen />, api);
    fireEvent.change(await screen.findByTestId('settings-proxy-url'), { target: { value: 'https://registry-1.docker.io' } });
    fireEvent.change(screen.getByTestId('settings-proxy-password'), { target: { value: 's3cret' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(fieldError('settings-proxy-password')).toBe(message));
    expect(callsOf(api, 'settings:set')[0]?.args).toEqual({ proxy: { remoteUrl: 'https://registry-1.docker.io', password: 's3cret' } });
  });

  it('names --data as the data directory flag', async () => {
    renderScreen(<RegistryScreen />, fake());
    const field = await screen.findByTestId('settings-data-dir');
    const wrapper = field.closest('.mantine-InputWrapper-root')!;
    expect(wrapper.textContent).toContain('--data ');
    expect(wrapper.textContent).not.toContain('--data-dir');
  });

  it('refuses an HTTPS address on the HTTP port before saving, next to the field', async () => {
    const api = fake({ 'settings:set': { settings, restartRequired: true } });
    renderScreen(<RegistryScreen />, api);
    fireEvent.change(await screen.findByTestId('settings-tls-listen'), { target: { value: '127.0.0.1:5000' } });
    expect(fieldError('settings-tls-listen')).toMatch(/^HTTPS listen address 127\.0\.0\.1:5000 uses port 5000, as the HTTP listener 127\.0\.0\.1:5000 does/);
    fireEvent.click(screen.getByTestId('settings-save'));
    fireEvent.submit(screen.getByRole('form', { name: 'Registry settings' }));
    expect(callsOf(api, 'settings:set')).toHaveLength(0);
    expect(screen.queryByTestId('settings-restart-required')).toBeNull();
    // Every interface on the same port collides too; another port is fine.
    fireEvent.change(screen.getByTestId('settings-tls-listen'), { target: { value: ':5000' } });
    expect(fieldError('settings-tls-listen')).toMatch(/uses port 5000/);
    fireEvent.change(screen.getByTestId('settings-listen'), { target: { value: '127.0.0.1:6000' } });
    expect(fieldError('settings-tls-listen')).toBeNull();
    fireEvent.change(screen.getByTestId('settings-listen'), { target: { value: 'nowhere' } });
    expect(fieldError('settings-listen')).toMatch(/"nowhere" is not HOST:PORT/);
  });

  it("shows the server's refusal next to the field it names, and clears it when that field changes", async () => {
    const message = 'HTTP listen address 203.0.113.9:5000: 203.0.113.9 is not an address of this machine (it has 127.0.0.1, 192.168.1.20), so the registry could not listen there';
    const api = fake({ 'settings:set': { error: { code: 'SETTINGS_INVALID', message, detail: { field: 'listen' } } } });
    renderScreen(<RegistryScreen />, api);
    fireEvent.change(await screen.findByTestId('settings-listen'), { target: { value: '203.0.113.9:5000' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(fieldError('settings-listen')).toBe(message));
    expect(screen.queryByTestId('settings-restart-required')).toBeNull();
    // Another field's change leaves it; a change of the field itself clears it.
    fireEvent.click(screen.getByTestId('settings-delete-enabled'));
    expect(fieldError('settings-listen')).toBe(message);
    fireEvent.change(screen.getByTestId('settings-listen'), { target: { value: '192.168.1.20:5000' } });
    expect(fieldError('settings-listen')).toBeNull();
  });

  it('shows a setting a flag or the environment sets as not editable, saying where it is set', async () => {
    const api = fake({ 'settings:get': { ...settings, fixed: { listen: 'set by the --listen flag', proxy: 'set by the environment (REGISTRY_PROXY_REMOTEURL)' } } });
    renderScreen(<RegistryScreen />, api);
    const listen = (await screen.findByTestId('settings-listen')) as HTMLInputElement;
    expect(listen.disabled).toBe(true);
    expect(listen.closest('.mantine-InputWrapper-root')!.textContent).toContain('Set by the --listen flag: change it there');
    expect((screen.getByTestId('settings-proxy-url') as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByTestId('settings-tls-listen') as HTMLInputElement).disabled).toBe(false);
    expect(screen.getByText('Set by the environment (REGISTRY_PROXY_REMOTEURL): change it there')).toBeTruthy();
  });

  it("shows the server's refusal of deletes set elsewhere at the switch", async () => {
    const message = 'deleteEnabled is set in the config file (/etc/berth.yml, storage.delete.enabled): change it there, or remove it, to set it here';
    renderScreen(<RegistryScreen />, fake({ 'settings:set': { error: { code: 'SETTINGS_INVALID', message, detail: { field: 'deleteEnabled' } } } }));
    fireEvent.click(await screen.findByTestId('settings-delete-enabled'));
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(await screen.findByText(message)).toBeTruthy();
    expect(screen.queryByText('The settings were not saved')).toBeNull();
  });

  it('shows a refusal that names no field above the buttons', async () => {
    renderScreen(<RegistryScreen />, fake({ 'settings:set': { error: { code: 'SETTINGS_INVALID', message: 'settings file /x/settings.json: broken (fix or delete it)' } } }));
    fireEvent.click(await screen.findByTestId('settings-delete-enabled'));
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(await screen.findByText('settings file /x/settings.json: broken (fix or delete it)')).toBeTruthy();
    expect(screen.getByText('The settings were not saved')).toBeTruthy();
  });

  it('shows why settings cannot be read', async () => {
    renderScreen(<RegistryScreen />, fake({ 'settings:get': { error: { code: 'UNSUPPORTED', message: 'the registry cannot be started, stopped or configured from here' } } }));
    expect(await screen.findByText('the registry cannot be started, stopped or configured from here')).toBeTruthy();
  });

  it('shows the first-run admin password once', async () => {
    const api = fake({ 'users:initial-password': { user: 'admin', password: 'Xy7-secret' } });
    renderScreen(<RegistryScreen />, api);
    const notice = await screen.findByTestId('initial-password-notice');
    expect(within(notice).getByText('Xy7-secret')).toBeTruthy();
    expect(within(notice).getByTestId('initial-password-user').textContent).toBe('admin');
    expect(notice.textContent).toContain('It will not be shown again');
    expect(within(notice).getByLabelText('Copy administrator password')).toBeTruthy();
    fireEvent.click(within(notice).getByText('I have saved it'));
    await waitFor(() => expect(screen.queryByTestId('initial-password-notice')).toBeNull());
    expect(callsOf(api, 'users:initial-password')).toHaveLength(1);
  });
});
