/** Settings of the local registry: addresses, upstream cache, deletes. They apply at the next start. */
import { Alert, Button, Card, Group, PasswordInput, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { listenSettingsProblems, type LocalSettings, type LocalSettingsPatch } from '../../../../../src-server/contract';
import { errorCode } from '../../../api/errors';
import { ApiCallError } from '../../../api/app-api';
import { ErrorAlert, Loading } from '../../../app/common';
import { useSaveSettings, useSettings } from '../queries';

/** The settings card. */
export function RegistrySettings() {
  const settings = useSettings();
  const [restartRequired, setRestartRequired] = useState(false);
  return (
    <Card withBorder padding="lg" data-testid="registry-settings">
      <Stack gap="sm">
        <Title order={3}>Settings</Title>
        {settings.isPending && <Loading label="Loading settings…" />}
        {settings.isError && <ErrorAlert error={settings.error} title="The settings cannot be read here" />}
        {restartRequired && (
          <Alert color="yellow" title="Restart required" data-testid="settings-restart-required">
            Saved. The changes take effect when Berth's registry restarts.
          </Alert>
        )}
        {settings.data && (
          <SettingsForm key={JSON.stringify(settings.data)} initial={settings.data} onSaved={(r) => setRestartRequired((was) => was || r)} />
        )}
      </Stack>
    </Card>
  );
}

interface Draft {
  listen: string;
  tlsListen: string;
  remoteUrl: string;
  username: string;
  password: string;
  deleteEnabled: boolean;
}

function draftOf(s: LocalSettings): Draft {
  return {
    listen: s.listen,
    tlsListen: s.tlsListen ?? '',
    remoteUrl: s.proxy?.remoteUrl ?? '',
    username: s.proxy?.username ?? '',
    password: '',
    deleteEnabled: s.deleteEnabled,
  };
}

/** Only what changed; an error in words when the draft cannot be sent. */
export function patchOf(initial: LocalSettings, d: Draft): { patch: LocalSettingsPatch } | { error: string } {
  const was = draftOf(initial);
  const patch: LocalSettingsPatch = {};
  if (d.listen.trim() !== was.listen) patch.listen = d.listen.trim();
  if (d.tlsListen.trim() !== was.tlsListen) patch.tlsListen = d.tlsListen.trim() || null;
  if (d.deleteEnabled !== was.deleteEnabled) patch.deleteEnabled = d.deleteEnabled;
  const url = d.remoteUrl.trim();
  const userChanged = d.username.trim() !== was.username;
  if (url === '') {
    if (userChanged && d.username.trim() !== '') return { error: 'Give the upstream URL for the user name.' };
    if (d.password) return { error: 'Give the upstream URL for the password.' };
    if (was.remoteUrl !== '') patch.proxy = null;
  } else if (url !== was.remoteUrl || userChanged || d.password) {
    patch.proxy = { remoteUrl: url };
    if (userChanged) patch.proxy.username = d.username.trim() || null;
    if (d.password) patch.proxy.password = d.password;
  }
  return { patch };
}

/** The draft fields each server-side field name (SETTINGS_INVALID `detail.field`) belongs to. */
const SERVER_FIELDS: Record<string, keyof Draft> = { listen: 'listen', tlsListen: 'tlsListen', 'proxy.remoteUrl': 'remoteUrl', proxy: 'password', deleteEnabled: 'deleteEnabled' };

/** The note of a setting a flag, the environment or the config file sets (`where` as the server says it). */
const fixedNote = (where: string) => `${where.charAt(0).toUpperCase()}${where.slice(1)}: change it there`;

/** The draft field a refusal of the server names, if it names one. */
function refusedField(error: unknown): keyof Draft | null {
  if (errorCode(error) !== 'SETTINGS_INVALID' || !(error instanceof ApiCallError)) return null;
  const field = (error.detail as { field?: unknown } | undefined)?.field;
  return typeof field === 'string' ? (SERVER_FIELDS[field] ?? null) : null;
}

function SettingsForm({ initial, onSaved }: { initial: LocalSettings; onSaved: (restartRequired: boolean) => void }) {
  const [d, setD] = useState<Draft>(() => draftOf(initial));
  const [localError, setLocalError] = useState<string | null>(null);
  const save = useSaveSettings();
  const refused = refusedField(save.error);
  // What a flag, the environment or the config file sets: shown as it runs, not editable here.
  const fixed = initial.fixed ?? {};
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setLocalError(null);
    // The server's refusal stands until the field it is about changes.
    if (refused === k) save.reset();
    setD((x) => ({ ...x, [k]: v }));
  };
  const computed = patchOf(initial, d);
  const dirty = 'error' in computed || Object.keys(computed.patch).length > 0;
  // What the server would refuse about the addresses, checked as it will before anything is sent.
  const was = draftOf(initial);
  const changed = d.listen.trim() !== was.listen && d.tlsListen.trim() === was.tlsListen ? 'listen' : 'tlsListen';
  const problems = listenSettingsProblems({ listen: d.listen, tlsListen: d.tlsListen.trim() || null }, changed);
  const fieldError = (k: keyof Draft): string | null => {
    const local = problems.find((p) => p.field === k);
    if (local) return local.message;
    return refused === k && save.error ? save.error.message : null;
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (problems.length > 0) return;
    if ('error' in computed) return setLocalError(computed.error);
    if (Object.keys(computed.patch).length === 0) return;
    save.mutate(computed.patch, {
      onSuccess: (r) => {
        onSaved(r.restartRequired);
        notifications.show({ message: r.restartRequired ? 'Settings saved: restart to apply them' : 'Settings saved' });
      },
    });
  };

  return (
    <form onSubmit={submit} aria-label="Registry settings">
      <Stack gap="sm">
        <Group grow align="flex-start">
          <TextInput
            label="HTTP listen address"
            description={fixed.listen ? fixedNote(fixed.listen) : 'HOST:PORT, e.g. 127.0.0.1:5000 or 0.0.0.0:5000'}
            disabled={fixed.listen !== undefined}
            data-testid="settings-listen"
            value={d.listen}
            onChange={(e) => set('listen', e.currentTarget.value)}
            error={fieldError('listen')}
            required
          />
          <TextInput
            label="HTTPS listen address"
            description={fixed.tlsListen ? fixedNote(fixed.tlsListen) : 'HOST:PORT on another port, or empty for no HTTPS'}
            disabled={fixed.tlsListen !== undefined}
            placeholder="none"
            data-testid="settings-tls-listen"
            value={d.tlsListen}
            onChange={(e) => set('tlsListen', e.currentTarget.value)}
            error={fieldError('tlsListen')}
          />
        </Group>
        <TextInput label="Data directory" description="Set at start (--data DIR, BERTH_DATA, or the config file)" data-testid="settings-data-dir" value={initial.dataDir} readOnly />
        <TextInput
          label="Upstream cache URL"
          description={fixed.proxy ? fixedNote(fixed.proxy) : 'Pull-through cache of another registry, e.g. https://registry-1.docker.io; empty for none'}
          disabled={fixed.proxy !== undefined}
          placeholder="none"
          data-testid="settings-proxy-url"
          value={d.remoteUrl}
          onChange={(e) => set('remoteUrl', e.currentTarget.value)}
          error={fieldError('remoteUrl')}
        />
        <Group grow align="flex-start">
          <TextInput label="Upstream user name" data-testid="settings-proxy-username" value={d.username} onChange={(e) => set('username', e.currentTarget.value)} disabled={d.remoteUrl.trim() === '' || fixed.proxy !== undefined} />
          <PasswordInput
            label="Upstream password"
            description="Credentials of the upstream go in the config file (proxy.username, proxy.password)"
            data-testid="settings-proxy-password"
            value={d.password}
            onChange={(e) => set('password', e.currentTarget.value)}
            error={fieldError('password')}
            disabled={d.remoteUrl.trim() === '' || fixed.proxy !== undefined}
            autoComplete="new-password"
          />
        </Group>
        <Switch
          label="Allow deleting images (tags, manifests, repositories)"
          data-testid="settings-delete-enabled"
          checked={d.deleteEnabled}
          onChange={(e) => set('deleteEnabled', e.currentTarget.checked)}
          description={fixed.deleteEnabled ? fixedNote(fixed.deleteEnabled) : undefined}
          disabled={fixed.deleteEnabled !== undefined}
          error={fieldError('deleteEnabled')}
        />
        <Text size="sm" c="dimmed">
          Authentication: {initial.authMode === 'none' ? 'off (anyone may pull and push)' : initial.authMode}
        </Text>
        {localError && (
          <Alert color="red" title="Please check the settings" role="alert">
            {localError}
          </Alert>
        )}
        {save.error && !refused && <ErrorAlert error={save.error} title="The settings were not saved" />}
        <Group>
          <Button type="submit" data-testid="settings-save" loading={save.isPending} disabled={!dirty}>
            Save
          </Button>
          {dirty && (
            <Button variant="subtle" onClick={() => (setD(draftOf(initial)), setLocalError(null), save.reset())}>
              Undo changes
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
