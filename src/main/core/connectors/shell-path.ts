import { execFileSync } from 'node:child_process';

let cached: string | undefined;

/**
 * The PATH a login shell would have. A GUI-launched app (Claude Desktop, the tray app) gets
 * a minimal PATH, so `npx`/`uvx` in a stdio server's command would not be found without this.
 */
export function loginShellPath(): string {
  if (cached !== undefined) return cached;
  cached = process.env.PATH ?? '';
  if (process.platform === 'win32' || process.env.PORTICO_NO_LOGIN_SHELL === '1') return cached;
  const shell = process.env.SHELL;
  if (!shell) return cached;
  try {
    const out = execFileSync(shell, ['-ilc', 'printf "__PORTICO_PATH__%s" "$PATH"'], {
      encoding: 'utf8',
      timeout: 3_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const found = out.split('__PORTICO_PATH__')[1]?.trim();
    if (found) cached = [...new Set([...found.split(':'), ...cached.split(':')])].filter(Boolean).join(':');
  } catch {
    // Keep our own PATH: a broken shell profile must not stop connectors from starting.
  }
  return cached;
}
