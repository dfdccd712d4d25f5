// Bundles the bench and soak scripts (and the Portico sources they import) with esbuild into
// node_modules/.cache/portico-bench, so every server runs under plain `node` with no loader. The
// OpenAPI import worker is bundled beside the Portico server (servers/openapi-worker.js), where
// src/main/core/connectors/openapi-offthread.ts looks first: imports run the sources under test.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const outDir = join(root, 'node_modules', '.cache', 'portico-bench');

export async function buildBench() {
  const { build } = await import('esbuild');
  const servers = readdirSync(join(root, 'bench', 'servers'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, 'bench', 'servers', f));
  await build({
    entryPoints: [join(root, 'bench', 'run.ts'), join(root, 'bench', 'soak.ts'), ...servers],
    outdir: outDir,
    outbase: join(root, 'bench'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(root, 'src', 'main', 'core', 'connectors', 'openapi-worker.ts')],
    outfile: join(outDir, 'servers', 'openapi-worker.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // Under node_modules no package.json of the project applies: say that these .js files are ES modules.
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  // The team scenario starts PostgreSQL as the tests do: its watchdog script beside the bundle.
  copyFileSync(join(root, 'test', 'helpers', 'postgres-watchdog.mjs'), join(outDir, 'postgres-watchdog.mjs'));
  return outDir;
}
