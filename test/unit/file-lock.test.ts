import { spawnSync } from 'node:child_process';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/main/core/store/file-lock';
import { tempDir } from '../helpers/temp';

const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid as number;

describe('workspace file lock', () => {
  it('takes over a lock left by a dead process', () => {
    const lock = join(tempDir(), 'workspace.lock');
    writeFileSync(lock, String(deadPid()));
    expect(withFileLock(lock, () => 42)).toBe(42);
    expect(existsSync(lock)).toBe(false);
  });

  it("never takes a live holder's lock, and leaves no takeover guard behind", () => {
    const lock = join(tempDir(), 'workspace.lock');
    writeFileSync(lock, String(deadPid()));
    withFileLock(lock, () => {
      expect(() => withFileLock(lock, () => 0, 50)).toThrow(/locked by another Portico process/);
      expect(existsSync(lock)).toBe(true);
    });
    expect(existsSync(`${lock}.takeover`)).toBe(false);
  });

  it('clears a takeover guard left by a crash', () => {
    const lock = join(tempDir(), 'workspace.lock');
    writeFileSync(lock, String(deadPid()));
    writeFileSync(`${lock}.takeover`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${lock}.takeover`, old, old);
    expect(withFileLock(lock, () => 'ok')).toBe('ok');
  });
});
