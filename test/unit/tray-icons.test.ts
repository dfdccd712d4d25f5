import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TrayIconState, trayIconFiles } from '../../src/main/desktop/tray-icons';

const resources = join(import.meta.dirname, '../../resources');
const STATES: TrayIconState[] = ['running', 'plane-off', 'error'];
const PLATFORMS: NodeJS.Platform[] = ['darwin', 'win32', 'linux', 'freebsd'];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('trayIconFiles', () => {
  it('gives macOS template images and every other platform the coloured icons', () => {
    expect(trayIconFiles('running', 'darwin')).toEqual({
      file: 'tray-runningTemplate.png',
      file2x: 'tray-runningTemplate@2x.png',
      template: true,
    });
    expect(trayIconFiles('plane-off', 'win32')).toEqual({
      file: 'tray-plane-off.png',
      file2x: 'tray-plane-off@2x.png',
      template: false,
    });
    expect(trayIconFiles('error', 'linux')).toEqual({
      file: 'tray-error.png',
      file2x: 'tray-error@2x.png',
      template: false,
    });
  });

  it('names a different file for each state on each platform', () => {
    for (const platform of PLATFORMS) {
      const files = STATES.map((state) => trayIconFiles(state, platform).file);
      expect(new Set(files).size).toBe(STATES.length);
    }
  });

  it.each(STATES.flatMap((state) => PLATFORMS.map((platform) => [state, platform] as const)))(
    'names files that ship in resources/ at 16 and 32 px (%s on %s)',
    (state, platform) => {
      const { file, file2x, template } = trayIconFiles(state, platform);
      // Electron finds the 2x file by this naming rule, and macOS a template by the name's ending.
      expect(file2x).toBe(file.replace(/\.png$/, '@2x.png'));
      expect(file.endsWith('Template.png')).toBe(template);
      for (const [name, size] of [
        [file, 16],
        [file2x, 32],
      ] as const) {
        expect(existsSync(join(resources, name)), `resources/${name}`).toBe(true);
        expect(pngSize(join(resources, name))).toEqual({ width: size, height: size });
      }
    },
  );
});
