import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyOptions {
  /** False for read-only commands: a missing key is an error, never created. Default true. */
  create?: boolean;
}

/** Supplies the 32-byte data key that seals secrets at rest. */
export interface KeyProvider {
  readonly kind: 'safeStorage' | 'keyring' | 'keyfile';
  readonly description: string;
  loadOrCreateKey(dataDir: string, options?: KeyOptions): Buffer;
}

/** No key yet, and a read-only command does not create one. */
export class NoKeyYetError extends Error {}

/** The error for a key that a read-only command would have had to create. */
export const noKeyYet = (dataDir: string) =>
  new NoKeyYetError(
    `this data dir (${dataDir}) has no secrets key yet, and a read-only command does not create one; nothing secret is stored there`,
  );

export class SecretsUnavailableError extends Error {}

/**
 * Headless fallback: a random key in `<dataDir>/secret.key`, mode 0600. Used when no
 * OS keyring is reachable; `portico status` names it so the user knows.
 */
export class KeyFileProvider implements KeyProvider {
  readonly kind = 'keyfile' as const;
  description = 'key file (mode 0600) — no OS keyring is available to this process';

  loadOrCreateKey(dataDir: string, options: KeyOptions = {}): Buffer {
    const path = join(dataDir, 'secret.key');
    this.description = `key file ${path} (mode 0600) — no OS keyring is available to this process`;
    if (!existsSync(path) && existsSync(`${path}.safe`)) {
      throw new SecretsUnavailableError(
        "this workspace's secrets are protected by the Portico desktop app (the OS's safe storage); " +
          'do this from the app, or with the app running through its admin MCP server',
      );
    }
    if (existsSync(path)) {
      // Tighten a key file someone loosened rather than keep using it world-readable (not from a
      // read-only command, which changes nothing on disk; the next writer does it).
      if (options.create !== false && process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0)
        chmodSync(path, 0o600);
      const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
      if (key.length !== 32)
        throw new SecretsUnavailableError(`${path} does not hold a 32-byte key; restore it from a backup`);
      return key;
    }
    if (options.create === false) throw noKeyYet(dataDir);
    const key = randomBytes(32);
    try {
      writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return this.loadOrCreateKey(dataDir, options);
      throw error;
    }
    return key;
  }
}

const PREFIX = 'v1:';

/**
 * AES-256-GCM sealing. The `context` (e.g. `connection:ID`) is bound as associated
 * data, so a sealed value copied onto another record does not open.
 */
export class SecretBox {
  readonly #key: Buffer;
  constructor(
    key: Buffer,
    readonly provider: { kind: KeyProvider['kind']; description: string },
  ) {
    if (key.length !== 32) throw new SecretsUnavailableError('the secret key must be 32 bytes');
    this.#key = key;
  }

  seal(value: unknown, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open<T = unknown>(sealed: string, context: string): T {
    if (!sealed.startsWith(PREFIX))
      throw new SecretsUnavailableError(`a secret for ${context} is not sealed`);
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as T;
    } catch {
      throw new SecretsUnavailableError(
        `the secret for ${context} cannot be decrypted with this data dir's key (${this.provider.description}); ` +
          'was the key file replaced? Restore it, or re-enter the credential.',
      );
    }
  }
}
