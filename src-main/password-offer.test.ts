import type { Clipboard, Dialog } from 'electron';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { MemorySecretStore, type SecretStore } from '../src-server/connections/secret-store';
import { offerInitialPassword, registryPasswordAccount, storedPassword, type MessageBoxApi } from './password-offer';

type BoxOptions = Parameters<MessageBoxApi['showMessageBox']>[0];

/** A dialog that records what it was shown and answers with the scripted buttons, by label. */
class ScriptedDialog implements MessageBoxApi {
  readonly shown: BoxOptions[] = [];
  constructor(private readonly answers: string[]) {}

  async showMessageBox(opts: BoxOptions): Promise<{ response: number }> {
    this.shown.push(opts);
    const answer = this.answers.shift();
    if (answer === undefined) throw new Error(`unexpected message box: ${opts.message}`);
    // 'cancel' stands for Escape or closing the box.
    const response = answer === 'cancel' ? opts.cancelId : opts.buttons.indexOf(answer);
    if (response < 0) throw new Error(`no button ${answer} in ${opts.buttons.join(', ')}`);
    return { response };
  }
}

/** A keychain that is not there, as on Linux without a Secret Service. */
class FailingSecretStore implements SecretStore {
  readonly kind = 'keychain';
  async get(): Promise<string | null> {
    throw new Error('The name org.freedesktop.secrets was not provided by any .service files');
  }
  async set(): Promise<void> {
    throw new Error('The name org.freedesktop.secrets was not provided by any .service files');
  }
  async delete(): Promise<boolean> {
    return false;
  }
}

const PASSWORD = 'Zq3-vP_8xY2kLm9nB4cD7eFg';

function setup(answers: string[], secrets: SecretStore = new MemorySecretStore()) {
  const dialog = new ScriptedDialog(answers);
  const clipboard = { text: null as string | null, writeText(t: string) { this.text = t; } };
  const offer = () => offerInitialPassword({ user: 'admin', password: PASSWORD, registryAddress: 'localhost:5000', dialog, secrets, clipboard });
  return { dialog, clipboard, secrets, offer };
}

it("matches Electron's dialog and clipboard", () => {
  expectTypeOf<Dialog>().toExtend<MessageBoxApi>();
  expectTypeOf<Clipboard>().toExtend<{ writeText(text: string): void }>();
});

describe('registryPasswordAccount', () => {
  it('names the keychain account after the user', () => {
    expect(registryPasswordAccount('admin')).toBe('registry-user:admin');
  });
});

describe('offerInitialPassword', () => {
  it('shows the user and password once, says only a hash is kept, and offers three buttons', async () => {
    const { dialog, offer } = setup(['Not now']);
    await offer();
    expect(dialog.shown).toHaveLength(1);
    const box = dialog.shown[0]!;
    expect(box.type).toBe('info');
    expect(box.buttons).toEqual(['Store in keychain', 'Copy password', 'Not now']);
    expect(box.defaultId).toBe(0);
    expect(box.cancelId).toBe(2);
    expect(box.message).toContain('admin');
    expect(box.detail).toContain(`User: admin\nPassword: ${PASSWORD}`);
    expect(box.detail).toMatch(/shown only this once/);
    expect(box.detail).toMatch(/bcrypt hash/);
    expect(box.detail).toContain('docker login localhost:5000 -u admin');
  });

  it('leaves out the docker login line without an address', async () => {
    const dialog = new ScriptedDialog(['Not now']);
    const clipboard = { writeText: vi.fn() };
    await offerInitialPassword({ user: 'admin', password: PASSWORD, registryAddress: null, dialog, secrets: new MemorySecretStore(), clipboard });
    expect(dialog.shown[0]!.detail).not.toContain('docker login');
  });

  it('stores the password in the keychain', async () => {
    const { secrets, clipboard, offer } = setup(['Store in keychain']);
    expect(await offer()).toBe('stored');
    expect(await secrets.get('registry-user:admin')).toBe(PASSWORD);
    expect(await storedPassword(secrets, 'admin')).toBe(PASSWORD);
    expect(clipboard.text).toBeNull();
  });

  it('copies the password and stores nothing', async () => {
    const { secrets, clipboard, offer } = setup(['Copy password']);
    expect(await offer()).toBe('copied');
    expect(clipboard.text).toBe(PASSWORD);
    expect(await storedPassword(secrets, 'admin')).toBeNull();
  });

  it.each(['Not now', 'cancel'])('does nothing on %s', async (answer) => {
    const { dialog, secrets, clipboard, offer } = setup([answer]);
    expect(await offer()).toBe('dismissed');
    expect(clipboard.text).toBeNull();
    expect(await storedPassword(secrets, 'admin')).toBeNull();
    expect(dialog.shown).toHaveLength(1);
  });

  it('shows the password and the reason again when the keychain fails, and copies it if asked', async () => {
    const { dialog, clipboard, offer } = setup(['Store in keychain', 'Copy password'], new FailingSecretStore());
    expect(await offer()).toBe('store-failed');
    expect(dialog.shown).toHaveLength(2);
    const box = dialog.shown[1]!;
    expect(box.type).toBe('error');
    expect(box.buttons).toEqual(['Copy password', 'Close']);
    expect(box.cancelId).toBe(1);
    expect(box.detail).toContain(`Password: ${PASSWORD}`);
    expect(box.detail).toContain('org.freedesktop.secrets was not provided');
    expect(clipboard.text).toBe(PASSWORD);
  });

  it('returns store-failed without copying when the error box is closed', async () => {
    const { clipboard, offer } = setup(['Store in keychain', 'Close'], new FailingSecretStore());
    expect(await offer()).toBe('store-failed');
    expect(clipboard.text).toBeNull();
  });

  it('never writes the password to the console, even when the keychain error repeats it', async () => {
    const store = new MemorySecretStore();
    store.set = async (_account, secret) => {
      throw new Error(`refused to store ${secret}`);
    };
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m));
    const { dialog, offer } = setup(['Store in keychain', 'Close'], store);
    expect(await offer()).toBe('store-failed');
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
    const detail = dialog.shown[1]!.detail;
    expect(detail).toContain('refused to store …');
    // Shown exactly once, in the credentials, not again inside the reason.
    expect(detail.split(PASSWORD)).toHaveLength(2);
  });
});

describe('storedPassword', () => {
  it('reads null when nothing is stored or the keychain fails', async () => {
    expect(await storedPassword(new MemorySecretStore(), 'admin')).toBeNull();
    expect(await storedPassword(new FailingSecretStore(), 'admin')).toBeNull();
  });
});
