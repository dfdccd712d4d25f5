#!/usr/bin/env node
// `npm start`: the Electron tray app when it can run here, otherwise `portico serve`.
// The decision is filesystem-only (see launch-decision.mjs) so this never hangs on a
// download; extra argv goes to whichever one runs.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideLaunch } from './launch-decision.mjs';
import { describeNode, projectNode } from './machine-node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);

const decision = decideLaunch({
  env: process.env,
  platform: process.platform,
  electronDir: join(root, 'node_modules', 'electron'),
});

/** Runs a child with our stdio, relays termination signals to it, and exits with its status. */
function runForwarding(command, args, env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      // The child may also get a terminal Ctrl-C directly; relaying is still needed
      // for signals sent to this process alone (kill, a process manager).
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (error) => {
    console.error(`Portico: could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
  });
}

/** Rebuilds out/ when the sources are newer (a no-op normally); exits if the build fails. */
function buildIfStale() {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-if-stale.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (decision.mode === 'electron') {
  console.log("Portico: starting the tray app on Electron's own Node.");
  buildIfStale();
  // Chromium will not start as root with its sandbox on (containers, some CI).
  const asRoot = process.platform === 'linux' && process.getuid?.() === 0;
  runForwarding(decision.electronPath, [root, ...(asRoot ? ['--no-sandbox'] : []), ...argv], process.env);
} else {
  console.log(`Portico: running headless (${decision.reason}); starting 'portico serve'.`);
  let node;
  try {
    node = projectNode();
  } catch (error) {
    console.error(`Portico: ${error.message}`);
    process.exit(1);
  }
  console.log(`Portico: on ${describeNode(node)}.`);
  buildIfStale();
  runForwarding(node.path, [join(root, 'bin', 'portico.js'), 'serve', ...argv], process.env);
}
