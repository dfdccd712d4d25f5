// Browser tests drive Debian's Chromium through playwright-core. Install it when missing
// (apt-get, as root) — never a downloaded browser build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';

export function ensureChromium() {
  if (existsSync(CHROMIUM)) return true;
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
    process.stdout.write(
      `Chromium not found at ${CHROMIUM}; browser tests will be skipped (install chromium to run them).\n`,
    );
    return false;
  }
  process.stdout.write(
    `Chromium not found at ${CHROMIUM}: installing Debian's chromium with apt-get (needed by the browser tests)…\n`,
  );
  const opts = { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  spawnSync('apt-get', ['update', '-qq'], opts);
  const result = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], opts);
  if (result.status !== 0 || !existsSync(CHROMIUM)) {
    process.stdout.write('Installing chromium failed; browser tests will be skipped.\n');
    return false;
  }
  return true;
}
