// Decides whether `npm start` can run the Electron tray app or must fall back to
// `portico serve`. Only cheap filesystem checks: it must answer well within 2 s and
// must never trigger Electron's download (requiring the `electron` package does).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The executable name Electron's postinstall recorded, or undefined when it never ran to completion. */
function recordedExecutable(electronDir) {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const name = readFileSync(pathFile, 'utf8').trim();
  return name === '' ? undefined : name;
}

/** Where the Electron binary should be, mirroring node_modules/electron/index.js (and electron-vite's ELECTRON_EXEC_PATH). */
function locateElectron(env, platform, electronDir) {
  if (env.ELECTRON_EXEC_PATH) return { path: env.ELECTRON_EXEC_PATH, source: 'ELECTRON_EXEC_PATH' };
  const recorded = recordedExecutable(electronDir);
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const fallback = platform === 'win32' ? 'electron.exe' : 'electron';
    return {
      path: join(env.ELECTRON_OVERRIDE_DIST_PATH, recorded ?? fallback),
      source: 'ELECTRON_OVERRIDE_DIST_PATH',
    };
  }
  if (recorded === undefined) return { path: undefined, source: 'node_modules/electron/path.txt' };
  return { path: join(electronDir, 'dist', recorded), source: 'node_modules/electron/dist' };
}

/**
 * @param {{env: Record<string, string | undefined>, platform: string, electronDir: string}} input
 * @returns {{mode: 'electron' | 'headless', reason: string, electronPath?: string}}
 */
export function decideLaunch({ env, platform, electronDir }) {
  if (env.PORTICO_HEADLESS === '1') return { mode: 'headless', reason: 'PORTICO_HEADLESS=1 is set' };

  const located = locateElectron(env, platform, electronDir);
  if (located.path === undefined) {
    return {
      mode: 'headless',
      reason: 'no Electron binary in node_modules/electron/dist — it could not be downloaded',
    };
  }
  if (!existsSync(located.path)) {
    const where =
      located.source === 'node_modules/electron/dist'
        ? located.source
        : `${located.source} (${located.path})`;
    return { mode: 'headless', reason: `no Electron binary at ${where}` };
  }

  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { mode: 'headless', reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  }

  return { mode: 'electron', reason: `Electron binary at ${located.path}`, electronPath: located.path };
}
