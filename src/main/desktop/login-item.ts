// "Start at login", off by default. macOS and Windows: the OS's login items through Electron
// (app.setLoginItemSettings); Linux desktops: an XDG autostart entry. Either way the app starts
// with `--hidden` (tray only); on macOS, where login items take no arguments, the app asks
// wasOpenedAtLogin instead.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AppApi } from './electron-api';

export const HIDDEN_FLAG = '--hidden';

export interface LoginItem {
  readonly supported: boolean;
  enabled(): boolean;
  set(enabled: boolean): void;
}

export interface LoginItemDeps {
  app: Pick<AppApi, 'getLoginItemSettings' | 'setLoginItemSettings'>;
  platform: NodeJS.Platform;
  /** The program that starts the app: Electron's binary (or the AppImage). */
  execPath: string;
  /** Arguments before ours: the app's folder when run as `electron <dir>` (development). */
  appArgs: readonly string[];
  env: NodeJS.ProcessEnv;
}

/** Whether this start is one at login (tray only, no window). */
export function startedHidden(
  deps: Pick<LoginItemDeps, 'app' | 'platform'>,
  argv: readonly string[],
): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  return deps.platform === 'darwin' && deps.app.getLoginItemSettings().wasOpenedAtLogin === true;
}

/** Quotes an Exec argument as the Desktop Entry spec wants. */
function execArg(arg: string): string {
  return /^[A-Za-z0-9_./=:@%+,-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The autostart file's path (XDG Base Directory: $XDG_CONFIG_HOME/autostart). */
export function autostartPath(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'autostart', 'portico.desktop');
}

export function autostartEntry(execPath: string, args: readonly string[]): string {
  const exec = [execPath, ...args, HIDDEN_FLAG].map(execArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Portico',
    'Comment=Local MCP gateway (tray)',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function loginItem(deps: LoginItemDeps): LoginItem {
  const args = [...deps.appArgs, HIDDEN_FLAG];
  if (deps.platform === 'darwin' || deps.platform === 'win32') {
    return {
      supported: true,
      // Windows keys the entry by path and args: ask with the same ones.
      enabled: () => deps.app.getLoginItemSettings({ args }).openAtLogin,
      set: (openAtLogin) => deps.app.setLoginItemSettings({ openAtLogin, args }),
    };
  }
  if (deps.platform !== 'linux') return { supported: false, enabled: () => false, set: () => {} };
  const path = autostartPath(deps.env);
  const program = deps.env.APPIMAGE || deps.execPath;
  return {
    supported: true,
    enabled() {
      try {
        return readFileSync(path, 'utf8').includes(HIDDEN_FLAG);
      } catch {
        return false;
      }
    },
    set(on) {
      if (!on) return rmSync(path, { force: true });
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, autostartEntry(program, deps.appArgs));
    },
  };
}
