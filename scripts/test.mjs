// `npm test`: typecheck, lint, build, then every test. Ends with one "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/**
 * `npm ci` from a fresh clone needs package-lock.json in sync with package.json, optional platform
 * packages included. Checked the way `npm ci` checks it, on copies of the two files in a temp dir:
 * a dry run with no scripts, which installs and changes nothing here, and reaches the registry only
 * as far as `npm ci` itself would (not at all when the lock is in sync).
 */
function checkLockfile() {
  const title = 'package-lock.json in sync with package.json (npm ci --dry-run)';
  process.stdout.write(`\n▶ ${title}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'portico-lock-'));
  try {
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(dir, file));
    const npm = process.env.npm_execpath;
    const args = ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'];
    const result = npm
      ? spawnSync(process.execPath, [npm, ...args], { cwd: dir, encoding: 'utf8' })
      : spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
          cwd: dir,
          encoding: 'utf8',
          shell: process.platform === 'win32',
        });
    if (result.status !== 0) {
      // What npm says is missing, without its engine warnings or the usage text it appends.
      const said = `${result.stdout ?? ''}${result.stderr ?? ''}`
        .split('\n')
        .filter((line) => !line.includes('EBADENGINE'))
        .join('\n')
        .split(/^npm error Clean install a project$/m)[0];
      process.stdout.write(
        `${said}\n✖ ${title} failed: run \`npm install\` and commit package-lock.json.\n0 passed, 1 failed\n`,
      );
      process.exit(result.status ?? 1);
    }
    process.stdout.write('  in sync\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

checkLockfile();
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
