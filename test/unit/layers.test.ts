import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cruise = (cwd: string) =>
  spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs'),
      'src/main/core',
      '--config',
      join(root, '.dependency-cruiser.cjs'),
      '--output-type',
      'err',
    ],
    { cwd, encoding: 'utf8', timeout: 60_000 },
  );

describe('the layer order of src/main/core (the check npm test runs)', () => {
  it('holds for the code as it is', () => {
    const result = cruise(root);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('fails on an upward import, on an import between folders of one layer, and on a folder with no layer', () => {
    const dir = tempDir();
    const file = (path: string, text: string) => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    file('src/main/core/admin/registry.ts', 'export const registry = 1;\n');
    file(
      'src/main/core/store/db.ts',
      "import { registry } from '../admin/registry';\nexport const db = registry;\n",
    );
    file('src/main/core/auth/keys.ts', "import { log } from '../activity/log';\nexport const keys = log;\n");
    file('src/main/core/activity/log.ts', 'export const log = 1;\n');
    file('src/main/core/misc/thing.ts', "import { db } from '../store/db';\nexport const thing = db;\n");
    const result = cruise(dir);
    expect(result.status).not.toBe(0);
    const out = result.stdout + result.stderr;
    expect(out).toMatch(/layer-store: src\/main\/core\/store\/db\.ts → src\/main\/core\/admin\/registry\.ts/);
    expect(out).toMatch(
      /layer-auth-siblings: src\/main\/core\/auth\/keys\.ts → src\/main\/core\/activity\/log\.ts/,
    );
    expect(out).toMatch(/no-unknown-core-folder: src\/main\/core\/misc\/thing\.ts/);
  });
});
