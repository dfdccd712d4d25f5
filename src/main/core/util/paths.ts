import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'Portico';

/** The folder Electron's `app.getPath('userData')` gives for "Portico", so the desktop app and the CLI share one workspace. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.PORTICO_DATA_DIR) return env.PORTICO_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

/** Files inside a data dir. */
export function dataPaths(dataDir: string) {
  return {
    server: join(dataDir, 'server.json'),
    /** The running server's local credential: how the CLI of the same OS user goes through it. */
    localCredential: join(dataDir, 'server.credential'),
    keyFile: join(dataDir, 'secret.key'),
  };
}
