/**
 * The registry's first start creates the user `admin` with a random password, which exists in
 * clear only until it is shown: Berth keeps a bcrypt hash. The desktop app shows it once and offers
 * to keep it in the OS keychain (so the tray can copy it for `docker login`) or to copy it now.
 * The password is never logged, and a keychain that fails never makes it lost: the error shows it.
 */
import type { SecretStore } from '../src-server/connections/secret-store';

/** The part of Electron's `dialog` used here (`dialog.showMessageBox`, or a scripted fake). */
export interface MessageBoxApi {
  showMessageBox(opts: {
    type: 'info' | 'warning' | 'error';
    title: string;
    message: string;
    detail: string;
    buttons: string[];
    defaultId: number;
    cancelId: number;
    noLink?: boolean;
  }): Promise<{ response: number }>;
}

/** The keychain account a registry user's password is kept under: `registry-user:<user>`. */
export const registryPasswordAccount = (user: string): string => `registry-user:${user}`;

/** What became of the offered password. */
export type PasswordOfferResult = 'stored' | 'copied' | 'dismissed' | 'store-failed';

const STORE = 0;
const COPY = 1;

/**
 * Shows `user`'s new `password` once, with buttons "Store in keychain", "Copy password" and
 * "Not now" (Escape or closing the box is "Not now"). When storing fails (a locked keychain, no
 * Secret Service on Linux), an error box shows the reason and the password again, with "Copy
 * password" and "Close"; the result is then 'store-failed', whether or not it was copied.
 * `registryAddress` (host:port), when known, adds the `docker login` line.
 */
export async function offerInitialPassword(deps: {
  user: string;
  password: string;
  registryAddress: string | null;
  dialog: MessageBoxApi;
  secrets: SecretStore;
  clipboard: { writeText(text: string): void };
}): Promise<PasswordOfferResult> {
  const { user, password, registryAddress, dialog, secrets, clipboard } = deps;
  const credentials = `User: ${user}\nPassword: ${password}`;
  const login = registryAddress ? `\n\nLog in with: docker login ${registryAddress} -u ${user}` : '';
  const { response } = await dialog.showMessageBox({
    type: 'info',
    title: 'Berth: registry password',
    message: `Berth created the registry user "${user}"`,
    detail:
      `${credentials}\n\n` +
      'This password is shown only this once: Berth keeps only a bcrypt hash of it and cannot show it again. ' +
      'Store it in the keychain (the tray can then copy it for you) or copy it into your password manager. ' +
      `If it is lost, set a new one with \`berth user passwd ${user}\`.` +
      login,
    buttons: ['Store in keychain', 'Copy password', 'Not now'],
    defaultId: STORE,
    cancelId: 2,
    noLink: true,
  });
  if (response === COPY) {
    clipboard.writeText(password);
    return 'copied';
  }
  if (response !== STORE) return 'dismissed';
  try {
    await secrets.set(registryPasswordAccount(user), password);
    return 'stored';
  } catch (err) {
    const { response: again } = await dialog.showMessageBox({
      type: 'error',
      title: 'Berth: registry password',
      message: 'The password could not be stored in the keychain',
      detail:
        `${reasonOf(err, password)}\n\n` +
        'The keychain may be locked, or (on Linux) no Secret Service such as GNOME Keyring or KWallet is running. ' +
        `Copy the password now; it is not shown again.\n\n${credentials}` +
        login,
      buttons: ['Copy password', 'Close'],
      defaultId: 0,
      cancelId: 1,
      noLink: true,
    });
    if (again === 0) clipboard.writeText(password);
    return 'store-failed';
  }
}

/** The password of `user` kept by {@link offerInitialPassword}, or null when none is stored or the keychain fails. */
export async function storedPassword(secrets: SecretStore, user: string): Promise<string | null> {
  try {
    return await secrets.get(registryPasswordAccount(user));
  } catch {
    // A locked or missing keychain reads as "not stored": the tray then offers no copy.
    return null;
  }
}

/** The keychain's error in words, with the password blanked should a library ever echo it. */
function reasonOf(err: unknown, password: string): string {
  const text = err instanceof Error ? err.message : String(err);
  const reason = text || 'unknown error';
  return password ? reason.split(password).join('…') : reason;
}
