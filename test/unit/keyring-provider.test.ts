import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeadlessKeyProvider, type KeyringFactory } from '../../src/main/core/store/keyring-provider';
import { tempDir } from '../helpers/temp';

// The OS keyring can't run in this sandbox (no Secret Service), so a map stands in for it.
function fakeKeyring(options: { fail?: string } = {}) {
  const entries = new Map<string, string>();
  const factory: KeyringFactory = (service, account) => ({
    getPassword() {
      if (options.fail) throw new Error(options.fail);
      return entries.get(`${service}/${account}`);
    },
    setPassword(value) {
      entries.set(`${service}/${account}`, value);
    },
  });
  return { factory, entries };
}

describe('headless key provider', () => {
  it('keeps the data key in the OS keyring when one answers, and marks the data dir', () => {
    const dir = tempDir();
    const { factory, entries } = fakeKeyring();
    const provider = new HeadlessKeyProvider(factory);
    const key = provider.loadOrCreateKey(dir);
    expect(provider.kind).toBe('keyring');
    expect(entries.size).toBe(1);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
    expect(existsSync(join(dir, 'secret.key.keyring'))).toBe(true);
    expect(new HeadlessKeyProvider(factory).loadOrCreateKey(dir).equals(key)).toBe(true);
  });

  it('falls back to a 0600 key file and says why when there is no keyring', () => {
    const dir = tempDir();
    const provider = new HeadlessKeyProvider(fakeKeyring({ fail: 'no secret service' }).factory);
    provider.loadOrCreateKey(dir);
    expect(provider.kind).toBe('keyfile');
    expect(provider.description).toMatch(/no secret service/);
    expect(existsSync(join(dir, 'secret.key'))).toBe(true);
  });

  it("never makes a second key when the keyring holding this data dir's key is unreachable", () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.key.keyring'), 'in the keyring');
    const provider = new HeadlessKeyProvider(fakeKeyring({ fail: 'locked' }).factory);
    expect(() => provider.loadOrCreateKey(dir)).toThrow(/cannot be reached now: locked/);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
  });

  it('a data dir set up with a key file keeps using it', () => {
    const dir = tempDir();
    const first = new HeadlessKeyProvider(undefined);
    const key = first.loadOrCreateKey(dir);
    const { factory, entries } = fakeKeyring();
    const second = new HeadlessKeyProvider(factory);
    expect(second.loadOrCreateKey(dir).equals(key)).toBe(true);
    expect(second.kind).toBe('keyfile');
    expect(entries.size).toBe(0);
  });

  it('on this machine (no reachable keyring) the real module path still yields a working key', () => {
    const provider = new HeadlessKeyProvider();
    expect(provider.loadOrCreateKey(tempDir()).length).toBe(32);
    expect(['keyring', 'keyfile']).toContain(provider.kind);
  });
});
