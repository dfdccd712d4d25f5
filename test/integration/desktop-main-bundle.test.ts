// The built main bundle (out/main/index.js) runs: in plain Node with every `electron` import
// resolved to the fake (test/helpers/fake-electron-loader.mjs), it starts the gateway on a temp
// data dir, prints its ready line, serves, and exits 0 on SIGTERM having released the data dir —
// no top-level crash, nothing Electron-only touched before 'ready'. Also with no OS encryption.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';

const root = fileURLToPath(new URL('../..', import.meta.url));
const loader = join(root, 'test', 'helpers', 'fake-electron-loader.mjs');
const children = new Set<ChildProcess>();

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-if-stale.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
}, 180_000);

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

function startMain(env: NodeJS.ProcessEnv) {
  const dataDir = tempDir();
  const child = spawn(process.execPath, ['--import', loader, join(root, 'out', 'main', 'index.js')], {
    cwd: root,
    env: { ...process.env, PORTICO_DATA_DIR: dataDir, PORTICO_PORT: '0', PORTICO_E2E: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const match = /^Portico ready (http:\/\/\S+)$/m.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`exited ${code} before ready:\n${stdout}${stderr}`)));
  });
  return { child, dataDir, ready, exited, output: () => ({ stdout, stderr }) };
}

describe('the built main bundle', () => {
  it('starts the gateway, says it is ready, and exits cleanly on SIGTERM', async () => {
    const main = startMain({});
    const url = await main.ready;
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; planes: unknown };
    expect(health).toMatchObject({ status: 'ok', planes: { admin: true, gateway: true } });
    expect(existsSync(join(main.dataDir, 'server.json'))).toBe(true);
    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    expect(existsSync(join(main.dataDir, 'server.json'))).toBe(false);
    const { stdout, stderr } = main.output();
    expect(stdout).toBe(`Portico ready ${url}\n`);
    expect(stderr).toBe(`Portico: listening on ${url} (data dir ${main.dataDir})\n`);
  });

  it('without OS encryption, says so and still starts', async () => {
    const main = startMain({ FAKE_ELECTRON_ENCRYPTION: '0' });
    await main.ready;
    main.child.kill('SIGINT');
    expect(await main.exited).toBe(0);
    expect(main.output().stderr).toMatch(
      /safeStorage cannot protect Portico's secrets here: .*\. Secrets use the headless key store/,
    );
  });
});
