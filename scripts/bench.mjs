#!/usr/bin/env node
// `npm run bench [-- --json] [-- --only latency,throughput,passthrough,scale,start,ui] [-- --quick]`
// Benchmarks Portico against baselines measured in the same run; see docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildBench, root } from '../bench/build.mjs';
import { buildIfStale } from './build-if-stale.mjs';
import { projectNode } from './machine-node.mjs';

const args = process.argv.slice(2);
// The start and ui scenarios run the built CLI and web UI (out/): rebuild them if stale.
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '') : 'start';
if (/\b(start|ui)\b/.test(only)) {
  const code = buildIfStale({ quiet: args.includes('--json') });
  if (code !== 0) process.exit(code);
}
const outDir = await buildBench();
const child = spawn(projectNode().path, ['--enable-source-maps', join(outDir, 'run.mjs'), ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PORTICO_BENCH_ROOT: root },
});
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
