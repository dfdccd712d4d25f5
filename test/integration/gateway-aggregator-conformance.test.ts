import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway';

// The official MCP conformance suite's server scenarios, run against a customer's gateway session
// with `bare` naming, in front of an upstream that implements what those scenarios ask for.

const require = createRequire(import.meta.url);
const suite = join(
  dirname(require.resolve('@modelcontextprotocol/conformance/package.json')),
  'dist',
  'index.js',
);
const FIXTURE = fileURLToPath(new URL('../fixtures/mcp/conformance-upstream.mjs', import.meta.url));
const run = promisify(execFile);

/**
 * The server scenarios the upstream implements, all of which must pass through the gateway. Not
 * here: json-schema-2020-12, the SEP-1034/1330 elicitation ones, SSE polling and multiple streams
 * (the upstream does not implement them); server-initialize, ping, tools-list and
 * dns-rebinding-protection run in conformance.test.ts.
 */
const SCENARIOS = [
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-with-logging',
  'tools-call-error',
  'tools-call-with-progress',
  'tools-call-sampling',
  'tools-call-elicitation',
  'resources-list',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'resources-subscribe',
  'resources-unsubscribe',
  'prompts-list',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
  'completion-complete',
  'logging-set-level',
];

let gw: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gw = await startTestGateway();
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await gw.app.callTool(name, args, 'internal');
    expect(result.ok, result.ok ? '' : result.error).toBe(true);
  };
  await call('create_customer', { id: 'conf', name: 'Conformance' });
  await call('create_connector', {
    slug: 'conformance',
    name: 'Conformance upstream',
    kind: 'mcp',
    transport: 'stdio',
    command: process.execPath,
    args: [FIXTURE],
  });
  await call('create_connection', { customer_id: 'conf', connector_id: 'conformance', credentials: {} });
  await call('configure_customer_tools', { customer_id: 'conf', mode: 'all', naming: 'bare' });
}, 60_000);
afterAll(() => gw?.app.close());

describe('official MCP conformance suite through the gateway (bare naming)', () => {
  for (const scenario of SCENARIOS) {
    it(scenario, async () => {
      const key = gw.mint('gateway');
      const url = `${gw.app.url}/mcp/gateway?customer_id=conf&api_key=${key}`;
      const { stdout } = await run(
        process.execPath,
        [suite, 'server', '--url', url, '--scenario', scenario],
        {
          timeout: 60_000,
        },
      ).catch((error: { stdout?: string; stderr?: string }) => ({
        stdout: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }));
      const output = stdout.split(key).join('ptc_…');
      const summary = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(stdout);
      expect(summary, output).not.toBeNull();
      expect(summary?.[3], output).toBe('0');
    });
  }
});
