/**
 * The login of the GUI in a browser (`berth serve`): a registry user's name and password, or the
 * one-time token of `--auth none` taken from the link Berth printed (`#token=…`).
 */
import { Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { HttpSession, LoginBody } from '../api/http-bridge';
import { ErrorAlert } from './common';

/** Props of {@link Login}. */
export interface LoginProps {
  login: (body: LoginBody) => Promise<HttpSession>;
  onLoggedIn: (session: HttpSession) => void;
}

/** The login form. */
export function Login({ login, onLoggedIn }: LoginProps) {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await login({ username, password }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={380}>
        <form onSubmit={submit}>
          <Stack>
            <Title order={2}>Berth</Title>
            <Text c="dimmed" size="sm">
              Log in with your registry user name and password: administrators see every screen, other users browse what they may pull. The first start of <code>berth serve</code> printed the admin password.
            </Text>
            <TextInput label="User" value={username} onChange={(e) => setUsername(e.currentTarget.value)} autoComplete="username" required />
            <PasswordInput label="Password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="current-password" required autoFocus />
            {error !== null && <ErrorAlert error={error} title="Login failed" />}
            <Button type="submit" loading={busy}>
              Log in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
