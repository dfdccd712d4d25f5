// `npm test`: typecheck, lint, build, then every test. Ends with one "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';
import { ensureChromium } from './ensure-chromium.mjs';
import { describeNode, projectNode } from './machine-node.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);

function step(title, command, args) {
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stdout.write(`\n✖ ${title} failed.\n0 passed, 1 failed\n`);
    process.exit(result.status ?? 1);
  }
}

step('typecheck', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']);
step('typecheck (renderer)', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']);
step('lint and format check', bin('biome'), ['check', '.']);
// dependency-cruiser needs Node ≥ 22, like Portico itself.
step('layers of src/main/core (dependency-cruiser)', projectNode().path, [
  join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs'),
  'src/main/core',
  '--config',
  '.dependency-cruiser.cjs',
  '--output-type',
  'err',
]);
process.stdout.write('\n▶ build\n');
if (buildIfStale() !== 0) {
  process.stdout.write('\n✖ build failed.\n0 passed, 1 failed\n');
  process.exit(1);
}
ensureChromium();

const reportDir = mkdtempSync(join(tmpdir(), 'portico-vitest-'));
const report = join(reportDir, 'report.json');
process.stdout.write('\n▶ tests (vitest)\n');
const node = projectNode();
process.stdout.write(`  on ${describeNode(node)}\n`);
const run = spawnSync(
  node.path,
  [
    join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
let passed = 0;
let failed = run.status === 0 ? 0 : 1;
let skipped = 0;
if (existsSync(report)) {
  const summary = JSON.parse(readFileSync(report, 'utf8'));
  passed = summary.numPassedTests;
  failed =
    summary.numFailedTests +
    (summary.numFailedTestSuites ?? 0) +
    (run.status !== 0 && summary.numFailedTests === 0 ? 1 : 0);
  skipped = summary.numPendingTests + summary.numTodoTests;
}
rmSync(reportDir, { recursive: true, force: true });
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(run.status ?? 1);
