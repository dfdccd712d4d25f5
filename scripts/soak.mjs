#!/usr/bin/env node
// `npm run soak [-- --minutes N] [-- --json]` — the bounded soak test (not part of npm test).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildBench, root } from '../bench/build.mjs';
import { projectNode } from './machine-node.mjs';

const outDir = await buildBench();
const child = spawn(
  projectNode().path,
  ['--enable-source-maps', join(outDir, 'soak.mjs'), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PORTICO_BENCH_ROOT: root },
  },
);
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
