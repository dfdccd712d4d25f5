// The desktop key provider with the fake's safeStorage present and absent: when the OS offers
// encryption the data key is stored only wrapped by it (and a key file left by `portico serve` is
// adopted, then removed); when it does not — or only Chromium's hard-coded "basic_text" — the
// provider refuses, so the app says so and uses the headless key store instead.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretsUnavailableError } from '../../src/main/core/store/secrets';
import {
  SafeStorageKeyProvider,
  safeStorageStatus,
  WRAPPED_KEY_FILE,
} from '../../src/main/desktop/safe-storage-key';
import { createFakeElectron } from '../helpers/fake-electron';
import { tempDir } from '../helpers/temp';

describe('safeStorage present', () => {
  it('keeps the data key only wrapped by the OS, and opens it again', () => {
    const fake = createFakeElectron({ encryption: 'gnome_libsecret' });
    const dir = tempDir();
    const logs: string[] = [];
    const provider = new SafeStorageKeyProvider(fake.api().safeStorage, (l) => logs.push(l), 'linux');
    expect(provider).toMatchObject({
      kind: 'safeStorage',
      description: 'Electron safeStorage (gnome_libsecret)',
    });
    expect(() => provider.loadOrCreateKey(dir, { create: false })).toThrow(/no secrets key yet/);
    const key = provider.loadOrCreateKey(dir);
    expect(key).toHaveLength(32);
    const onDisk = readFileSync(join(dir, WRAPPED_KEY_FILE), 'utf8');
    expect(onDisk).not.toContain(key.toString('base64'));
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
    expect(provider.loadOrCreateKey(dir).equals(key)).toBe(true);
    expect(logs).toEqual([]);
  });

  it('adopts the key file `portico serve` made, so its secrets still open, and removes the plaintext', () => {
    const fake = createFakeElectron();
    const dir = tempDir();
    const plain = Buffer.alloc(32, 7);
    writeFileSync(join(dir, 'secret.key'), plain.toString('base64'));
    const logs: string[] = [];
    const provider = new SafeStorageKeyProvider(fake.api().safeStorage, (l) => logs.push(l), 'darwin');
    expect(provider.description).toBe('Electron safeStorage (macOS Keychain)');
    expect(provider.loadOrCreateKey(dir).equals(plain)).toBe(true);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
    expect(logs).toEqual([
      expect.stringMatching(/^Moved the secrets key from .*secret\.key into Electron safeStorage/),
    ]);
  });

  it('a wrapped key this OS account cannot open is an error that says what to do', () => {
    const fake = createFakeElectron();
    const dir = tempDir();
    writeFileSync(join(dir, WRAPPED_KEY_FILE), Buffer.from('sealed by someone else').toString('base64'));
    const provider = new SafeStorageKeyProvider(fake.api().safeStorage, () => {}, 'win32');
    expect(() => provider.loadOrCreateKey(dir)).toThrow(
      /cannot be unlocked by this OS account's safe storage/,
    );
  });
});

describe('safeStorage absent', () => {
  it('refuses (no plaintext in disguise), saying why', () => {
    const none = createFakeElectron({ encryption: false }).api().safeStorage;
    expect(safeStorageStatus(none, 'linux')).toEqual({
      ok: false,
      reason: "the OS's safe storage (Electron safeStorage) is not available",
    });
    expect(() => new SafeStorageKeyProvider(none, () => {}, 'linux')).toThrow(SecretsUnavailableError);
    const basic = createFakeElectron({ encryption: 'basic_text' }).api().safeStorage;
    expect(safeStorageStatus(basic, 'linux')).toEqual({
      ok: false,
      reason: 'no OS secret store is reachable (safeStorage backend: basic_text)',
    });
    expect(() => new SafeStorageKeyProvider(basic, () => {}, 'linux')).toThrow(/basic_text/);
  });
});
