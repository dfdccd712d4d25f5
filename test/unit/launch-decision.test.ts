import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideLaunch } from '../../scripts/launch-decision.mjs';

// Real directories shaped like node_modules/electron, with and without a binary.
let root: string;
let electronDir: string;

function installBinary(name = 'electron'): string {
  writeFileSync(join(electronDir, 'path.txt'), name);
  const binary = join(electronDir, 'dist', name);
  mkdirSync(dirname(binary), { recursive: true });
  writeFileSync(binary, '');
  return binary;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'portico-launch-'));
  electronDir = join(root, 'node_modules', 'electron');
  mkdirSync(electronDir, { recursive: true });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('decideLaunch', () => {
  it('runs Electron when the binary exists and a display is set', () => {
    const binary = installBinary();
    const decision = decideLaunch({ env: { DISPLAY: ':0' }, platform: 'linux', electronDir });
    expect(decision).toEqual({
      mode: 'electron',
      reason: `Electron binary at ${binary}`,
      electronPath: binary,
    });
  });

  it('accepts a Wayland display on Linux', () => {
    installBinary();
    expect(decideLaunch({ env: { WAYLAND_DISPLAY: 'wayland-0' }, platform: 'linux', electronDir }).mode).toBe(
      'electron',
    );
  });

  it('needs no display variable on macOS or Windows', () => {
    installBinary('Electron.app/Contents/MacOS/Electron');
    expect(decideLaunch({ env: {}, platform: 'darwin', electronDir }).mode).toBe('electron');
    installBinary('electron.exe');
    expect(decideLaunch({ env: {}, platform: 'win32', electronDir }).mode).toBe('electron');
  });

  it('honours PORTICO_HEADLESS=1 before anything else', () => {
    installBinary();
    expect(
      decideLaunch({ env: { PORTICO_HEADLESS: '1', DISPLAY: ':0' }, platform: 'linux', electronDir }),
    ).toEqual({
      mode: 'headless',
      reason: 'PORTICO_HEADLESS=1 is set',
    });
    // Only "1" opts in; other values are not a request for headless.
    expect(
      decideLaunch({ env: { PORTICO_HEADLESS: '0', DISPLAY: ':0' }, platform: 'linux', electronDir }).mode,
    ).toBe('electron');
  });

  it('goes headless when Electron was never downloaded (no path.txt)', () => {
    expect(decideLaunch({ env: { DISPLAY: ':0' }, platform: 'linux', electronDir })).toEqual({
      mode: 'headless',
      reason: 'no Electron binary in node_modules/electron/dist — it could not be downloaded',
    });
  });

  it('goes headless when the electron package itself is missing', () => {
    const missing = join(root, 'elsewhere', 'electron');
    expect(decideLaunch({ env: { DISPLAY: ':0' }, platform: 'linux', electronDir: missing }).mode).toBe(
      'headless',
    );
  });

  it('goes headless when path.txt names a binary that is not in dist', () => {
    writeFileSync(join(electronDir, 'path.txt'), 'electron');
    expect(decideLaunch({ env: { DISPLAY: ':0' }, platform: 'linux', electronDir })).toEqual({
      mode: 'headless',
      reason: 'no Electron binary at node_modules/electron/dist',
    });
  });

  it('uses ELECTRON_OVERRIDE_DIST_PATH when set, and says so when it holds no binary', () => {
    const override = join(root, 'override');
    mkdirSync(override);
    expect(
      decideLaunch({
        env: { DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: override },
        platform: 'linux',
        electronDir,
      }),
    ).toEqual({
      mode: 'headless',
      reason: `no Electron binary at ELECTRON_OVERRIDE_DIST_PATH (${join(override, 'electron')})`,
    });
    writeFileSync(join(override, 'electron'), '');
    expect(
      decideLaunch({
        env: { DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: override },
        platform: 'linux',
        electronDir,
      }),
    ).toMatchObject({ mode: 'electron', electronPath: join(override, 'electron') });
  });

  it('uses ELECTRON_EXEC_PATH when set, and says so when it does not exist', () => {
    const exec = join(root, 'bin', 'electron');
    expect(
      decideLaunch({ env: { DISPLAY: ':0', ELECTRON_EXEC_PATH: exec }, platform: 'linux', electronDir }),
    ).toEqual({
      mode: 'headless',
      reason: `no Electron binary at ELECTRON_EXEC_PATH (${exec})`,
    });
    mkdirSync(join(root, 'bin'));
    writeFileSync(exec, '');
    expect(
      decideLaunch({ env: { DISPLAY: ':0', ELECTRON_EXEC_PATH: exec }, platform: 'linux', electronDir }),
    ).toMatchObject({ mode: 'electron', electronPath: exec });
  });

  it('goes headless on Linux without DISPLAY or WAYLAND_DISPLAY', () => {
    installBinary();
    expect(decideLaunch({ env: { DISPLAY: '' }, platform: 'linux', electronDir })).toEqual({
      mode: 'headless',
      reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)',
    });
  });

  it('decides in well under 2 seconds', () => {
    const started = performance.now();
    decideLaunch({ env: {}, platform: 'linux', electronDir });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
