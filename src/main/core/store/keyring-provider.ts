import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  KeyFileProvider,
  type KeyOptions,
  type KeyProvider,
  noKeyYet,
  SecretsUnavailableError,
} from './secrets';

/** The slice of an OS keyring we use (matches @napi-rs/keyring's Entry). */
export interface KeyringEntry {
  getPassword(): string | null | undefined;
  setPassword(value: string): void;
}
export type KeyringFactory = (service: string, account: string) => KeyringEntry;

const SERVICE = 'Portico';

/** @napi-rs/keyring when it is installed for this platform (it is an optional dependency). */
export function loadOsKeyring(): KeyringFactory | undefined {
  try {
    const { Entry } = createRequire(import.meta.url)('@napi-rs/keyring') as {
      Entry: new (s: string, a: string) => KeyringEntry;
    };
    return (service, account) => new Entry(service, account);
  } catch {
    return undefined;
  }
}

/**
 * Headless secrets: the data key lives in the OS keyring (macOS Keychain, Windows Credential
 * Manager, Secret Service) when one answers, else in a 0600 key file. A data dir keeps the
 * store it started with: `secret.key` means the file; `secret.key.keyring` means the keyring,
 * and then an unreachable keyring is an error — never a silent second key.
 */
export class HeadlessKeyProvider implements KeyProvider {
  kind: KeyProvider['kind'] = 'keyfile';
  description = 'not opened yet';

  constructor(private readonly keyring: KeyringFactory | undefined = loadOsKeyring()) {}

  loadOrCreateKey(dataDir: string, options: KeyOptions = {}): Buffer {
    const keyFile = join(dataDir, 'secret.key');
    const marker = join(dataDir, 'secret.key.keyring');
    const account = createHash('sha256').update(dataDir).digest('hex').slice(0, 32);
    const fromKeyFile = (why: string) => {
      const file = new KeyFileProvider();
      const key = file.loadOrCreateKey(dataDir, options);
      this.kind = 'keyfile';
      this.description = `key file ${keyFile} (mode 0600) — ${why}`;
      return key;
    };
    if (existsSync(keyFile) || existsSync(`${keyFile}.safe`))
      return fromKeyFile('this data dir was set up with a key file');
    if (!this.keyring) return fromKeyFile('no OS keyring module for this platform');
    let entry: KeyringEntry;
    let stored: string | null | undefined;
    try {
      entry = this.keyring(SERVICE, account);
      stored = entry.getPassword();
    } catch (error) {
      if (existsSync(marker)) {
        throw new SecretsUnavailableError(
          `this data dir's key is in the OS keyring (service "${SERVICE}", account ${account}), which cannot be reached now: ${(error as Error).message}. Unlock the keyring and try again.`,
        );
      }
      return fromKeyFile(`the OS keyring is not available (${(error as Error).message})`);
    }
    this.kind = 'keyring';
    this.description = `OS keyring (service "${SERVICE}", account ${account})`;
    if (stored) {
      const key = Buffer.from(stored, 'base64');
      if (key.length === 32) return key;
      throw new SecretsUnavailableError(
        `the OS keyring entry for this data dir (${account}) does not hold a 32-byte key`,
      );
    }
    if (existsSync(marker)) {
      throw new SecretsUnavailableError(
        `this data dir's key was in the OS keyring (account ${account}) but is gone; restore it or re-enter the credentials.`,
      );
    }
    if (options.create === false) throw noKeyYet(dataDir);
    const key = randomBytes(32);
    try {
      entry.setPassword(key.toString('base64'));
    } catch (error) {
      return fromKeyFile(`the OS keyring refused to store a key (${(error as Error).message})`);
    }
    writeFileSync(
      marker,
      `The data key of this workspace is in the OS keyring: service "${SERVICE}", account ${account}.\n`,
      { mode: 0o600 },
    );
    return key;
  }
}
