import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyFileProvider, SecretBox, SecretsUnavailableError } from '../../src/main/core/store/secrets';
import { tempDir } from '../helpers/temp';

describe('secrets at rest', () => {
  it('creates a 0600 key file once and reuses it', () => {
    const dir = tempDir();
    const provider = new KeyFileProvider();
    const key = provider.loadOrCreateKey(dir);
    expect(key.length).toBe(32);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(new KeyFileProvider().loadOrCreateKey(dir).equals(key)).toBe(true);
    expect(provider.description).toMatch(/key file .*secret\.key/);
  });

  it('seals with AES-GCM: no plaintext in the sealed text, and it opens only in its own context', () => {
    const box = new SecretBox(new KeyFileProvider().loadOrCreateKey(tempDir()), {
      kind: 'keyfile',
      description: 'test',
    });
    const sealed = box.seal({ api_key: 'sk-live-very-secret' }, 'connection:c1');
    expect(sealed).not.toContain('sk-live');
    expect(box.open(sealed, 'connection:c1')).toEqual({ api_key: 'sk-live-very-secret' });
    expect(() => box.open(sealed, 'connection:c2')).toThrow(SecretsUnavailableError);
  });

  it('a different key cannot open it, with a message that says what to do', () => {
    const a = new SecretBox(new KeyFileProvider().loadOrCreateKey(tempDir()), {
      kind: 'keyfile',
      description: 'a',
    });
    const b = new SecretBox(new KeyFileProvider().loadOrCreateKey(tempDir()), {
      kind: 'keyfile',
      description: 'b',
    });
    expect(() => b.open(a.seal('x', 'ctx'), 'ctx')).toThrow(/Restore it, or re-enter/);
  });

  it('refuses to create a second key when the desktop app protects this data dir with safeStorage', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.key.safe'), 'wrapped');
    expect(() => new KeyFileProvider().loadOrCreateKey(dir)).toThrow(/desktop app/);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
  });
});
