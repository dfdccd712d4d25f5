// The desktop app's data key, protected by the OS through Electron's safeStorage
// (Keychain, DPAPI, libsecret/kwallet). A random 32-byte key is wrapped with
// safeStorage and only the wrapped form touches the disk. Refuses rather than fall
// back to anything weaker: the caller decides what to do instead, and says so. Electron's
// safeStorage is passed in (the real one, or a test's fake).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KeyOptions, type KeyProvider, noKeyYet, SecretsUnavailableError } from '../core/store/secrets';
import type { SafeStorageApi } from './electron-api';

export const WRAPPED_KEY_FILE = 'secret.key.safe';
/** The headless provider's plaintext key file; adopted once so existing secrets stay readable. */
const PLAIN_KEY_FILE = 'secret.key';

export type SafeStorageStatus = { ok: true; description: string } | { ok: false; reason: string };

/** Whether safeStorage gives real OS-backed protection here. Valid only after app 'ready'. */
export function safeStorageStatus(
  safeStorage: SafeStorageApi,
  platform: NodeJS.Platform = process.platform,
): SafeStorageStatus {
  if (!safeStorage.isEncryptionAvailable()) {
    return { ok: false, reason: "the OS's safe storage (Electron safeStorage) is not available" };
  }
  if (platform === 'darwin') return { ok: true, description: 'Electron safeStorage (macOS Keychain)' };
  if (platform === 'win32') return { ok: true, description: 'Electron safeStorage (Windows DPAPI)' };
  const backend = safeStorage.getSelectedStorageBackend();
  // basic_text "encrypts" with a password hard-coded in Chromium: plaintext in disguise.
  if (backend === 'basic_text' || backend === 'unknown') {
    return { ok: false, reason: `no OS secret store is reachable (safeStorage backend: ${backend})` };
  }
  return { ok: true, description: `Electron safeStorage (${backend})` };
}

function unwrap(safeStorage: SafeStorageApi, path: string): Buffer {
  let key: Buffer;
  try {
    const wrapped = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    key = Buffer.from(safeStorage.decryptString(wrapped), 'base64');
  } catch (error) {
    throw new SecretsUnavailableError(
      `${path} cannot be unlocked by this OS account's safe storage (${error instanceof Error ? error.message : String(error)}); ` +
        'it was created by another user or machine, or the OS keychain entry was reset. Restore the keychain, ' +
        'or move the data dir aside and re-enter the credentials.',
    );
  }
  if (key.length !== 32)
    throw new SecretsUnavailableError(`${path} does not hold a 32-byte key; restore it from a backup`);
  return key;
}

function writeWrapped(safeStorage: SafeStorageApi, path: string, key: Buffer): void {
  const wrapped = safeStorage.encryptString(key.toString('base64'));
  // 'wx': never overwrite a wrapped key another process just created.
  writeFileSync(path, `${wrapped.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
}

export class SafeStorageKeyProvider implements KeyProvider {
  readonly kind = 'safeStorage' as const;
  readonly description: string;

  constructor(
    private readonly safeStorage: SafeStorageApi,
    private readonly log: (line: string) => void = () => {},
    platform: NodeJS.Platform = process.platform,
  ) {
    const status = safeStorageStatus(safeStorage, platform);
    if (!status.ok) {
      throw new SecretsUnavailableError(
        `Electron safeStorage cannot protect Portico's secrets here: ${status.reason}`,
      );
    }
    this.description = status.description;
  }

  loadOrCreateKey(dataDir: string, options: KeyOptions = {}): Buffer {
    const path = join(dataDir, WRAPPED_KEY_FILE);
    if (existsSync(path)) return unwrap(this.safeStorage, path);
    if (options.create === false) throw noKeyYet(dataDir);

    const plainPath = join(dataDir, PLAIN_KEY_FILE);
    const adopting = existsSync(plainPath);
    // Secrets sealed by `portico serve` before the app first ran use the key file's key:
    // keep that key (now wrapped) so they still open.
    const key = adopting ? Buffer.from(readFileSync(plainPath, 'utf8').trim(), 'base64') : randomBytes(32);
    if (key.length !== 32)
      throw new SecretsUnavailableError(`${plainPath} does not hold a 32-byte key; restore it from a backup`);
    try {
      writeWrapped(this.safeStorage, path, key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return unwrap(this.safeStorage, path);
      throw error;
    }
    if (adopting && unwrap(this.safeStorage, path).equals(key)) {
      // Only after the wrapped copy verifiably opens: a plaintext key beside it would void the protection.
      rmSync(plainPath, { force: true });
      this.log(`Moved the secrets key from ${plainPath} into ${this.description}.`);
    }
    return key;
  }
}
