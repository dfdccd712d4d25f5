import { spawn } from 'node:child_process';

let cached: Promise<string> | undefined;

/**
 * The PATH a login shell would have. A GUI-launched app (Claude Desktop, the tray app) gets
 * a minimal PATH, so `npx`/`uvx` in a stdio server's command would not be found without this.
 * Asked once, asynchronously (a slow shell profile must not block the event loop), then cached.
 */
export function loginShellPath(): Promise<string> {
  cached ??= readLoginShellPath();
  return cached;
}

function readLoginShellPath(): Promise<string> {
  const own = process.env.PATH ?? '';
  const shell = process.env.SHELL;
  if (process.platform === 'win32' || process.env.PORTICO_NO_LOGIN_SHELL === '1' || !shell) {
    return Promise.resolve(own);
  }
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(shell, ['-ilc', 'printf "__PORTICO_PATH__%s" "$PATH"'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 3_000,
      // Its own session: an interactive shell must not take over the terminal we run in.
      detached: true,
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    // Keep our own PATH when the shell fails: a broken profile must not stop connectors.
    child.on('error', () => resolve(own));
    child.on('close', (code) => {
      const found = code === 0 ? out.split('__PORTICO_PATH__')[1]?.trim() : undefined;
      resolve(found ? mergePaths(found, own) : own);
    });
  });
}

/** The login shell's entries first, then ours, without duplicates. */
export function mergePaths(first: string, second: string): string {
  return [...new Set([...first.split(':'), ...second.split(':')])].filter(Boolean).join(':');
}
