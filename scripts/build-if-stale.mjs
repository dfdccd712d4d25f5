// Builds with electron-vite when out/ is missing or older than the sources.
// Runs on `npm install` (prepare), before `npm start` and in `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outputs = ['out/main/cli.js', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const inputs = ['src', 'resources', 'package.json', 'electron.vite.config.ts'];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

export function isStale() {
  const outs = outputs.map((p) => join(root, p));
  if (!outs.every(existsSync)) return true;
  const built = Math.min(...outs.map((p) => statSync(p).mtimeMs));
  return inputs.some((p) => existsSync(join(root, p)) && newest(join(root, p)) > built);
}

export function buildIfStale({ quiet = false } = {}) {
  if (!isStale()) return 0;
  if (!quiet) process.stdout.write('Portico: building (electron-vite build)…\n');
  const bin = join(
    root,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'electron-vite.cmd' : 'electron-vite',
  );
  if (!existsSync(bin)) {
    process.stderr.write('Portico: electron-vite is not installed; run `npm install` first.\n');
    return 1;
  }
  const result = spawnSync(bin, ['build'], {
    cwd: root,
    stdio: quiet ? 'pipe' : 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0 && quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  return result.status ?? 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(buildIfStale());
}
