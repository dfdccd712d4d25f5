// Read-only commands (status, keys list, admin list_*/get_*, clients list|print) never create,
// move or change a file: not on a typo'd data dir, not on a workspace, not on a damaged database
// or a legacy workspace.json — which they report clearly, or read as it is.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENTS } from '../../src/main/core/clients';
import { portico, serve } from '../helpers/cli';
import { folderFingerprint } from '../helpers/store';
import { tempDir } from '../helpers/temp';

const READ_ONLY: string[][] = [
  ['status'],
  ['status', '--json'],
  ['keys', 'list'],
  ['keys', 'list', '--all', '--json'],
  ['admin', 'list_customers'],
  ['admin', 'list_connectors', '{"limit":5}'],
  ['admin', 'get_customer', '{"customer_id":"acme"}'],
  ['admin', 'get_gateway_status'],
  ['admin', 'list_activity'],
  ['admin', 'list_webhook_deliveries'],
  ['clients', 'list'],
  ['clients', 'list', '--json'],
  ['clients', 'print', 'cursor', '--plane', 'admin'],
  ['clients', 'print', 'claude-desktop', '--plane', 'admin', '--json'],
];

/** Client config paths in a folder of their own, so `clients` commands look nowhere else. */
function clientEnv(root: string): Record<string, string> {
  const env: Record<string, string> = { HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'xdg') };
  for (const client of CLIENTS) env[client.envVar] = join(root, 'clients', client.id, 'config.json');
  return env;
}

function runAll(dataDir: string, env: Record<string, string>) {
  return READ_ONLY.map((args) => ({ args, ...portico([...args, '--data-dir', dataDir], { env }) }));
}

// Each test starts a dozen CLI processes: ~15 s on an idle 2-core machine, far more on a busy one.
describe('read-only commands change nothing on disk', { timeout: 90_000 }, () => {
  it('create nothing for a data dir that does not exist', () => {
    const root = tempDir();
    const env = clientEnv(root);
    const dataDir = join(root, 'typo');
    for (const run of runAll(dataDir, env)) {
      expect(run.stderr, run.args.join(' ')).not.toMatch(/portico: .*(EACCES|ENOENT)/);
    }
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(join(root, 'home'))).toBe(false);
    expect(existsSync(join(root, 'clients'))).toBe(false);
    const status = portico(['status', '--data-dir', dataDir], { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/not running/);
  });

  it('leave an existing workspace byte for byte as it was', async () => {
    const root = tempDir();
    const env = clientEnv(root);
    const dataDir = join(root, 'data');
    const served = await serve(['--data-dir', dataDir]);
    expect(
      portico(['admin', 'create_customer', '{"id":"acme","name":"Acme"}', '--data-dir', dataDir]).code,
    ).toBe(0);
    expect(await served.stop()).toBe(0);
    const before = folderFingerprint(root);
    const runs = runAll(dataDir, env);
    for (const run of runs.filter((r) => !r.args.includes('clients')))
      expect(run.code, `${run.args.join(' ')}: ${run.stderr}`).toBe(0);
    expect(runs.find((r) => r.args[1] === 'get_customer')?.stdout).toContain('"id": "acme"');
    expect(folderFingerprint(root)).toEqual(before);
  }, 90_000); // a dozen CLI processes in a row: ~15 s on an idle 2-core machine

  it('report a damaged database, named, and keep it byte for byte', () => {
    const root = tempDir();
    const env = clientEnv(root);
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'portico.db'), Buffer.alloc(16_384, 7));
    const before = folderFingerprint(root);
    for (const run of runAll(dataDir, env).filter((r) => r.args[0] !== 'clients')) {
      expect(run.code, run.args.join(' ')).toBe(1);
      expect(run.stderr, run.args.join(' ')).toContain(join(dataDir, 'portico.db'));
    }
    expect(folderFingerprint(root)).toEqual(before);
  });

  it('read a legacy workspace.json as it is, without importing or moving it', () => {
    const root = tempDir();
    const env = clientEnv(root);
    const dataDir = join(root, 'data');
    cpSync(new URL('../fixtures/legacy-workspace', import.meta.url).pathname, dataDir, { recursive: true });
    const before = folderFingerprint(root);
    const runs = runAll(dataDir, env);
    const status = runs.find((r) => r.args.join(' ') === 'status --json');
    expect(JSON.parse(status?.stdout ?? '{}').counts).toMatchObject({ customers: 2, connectors: 2 });
    expect(runs.find((r) => r.args[1] === 'list_customers')?.stdout).toContain('"globex"');
    expect(folderFingerprint(root)).toEqual(before);
  });
});
