// Portico under test: startPortico from the sources (bundled by scripts/bench.mjs), in its own
// process, set up through the admin registry (the same code path as the admin MCP tools), or —
// for the 10,000-tool scale workspace — written straight through store.mutate for speed.
// Prints `READY {url, adminKey, gatewayKey, …}`; on stdin, `stats` prints `STATS {…}`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { mintKey } from '../../src/main/core/admin/keys';
import { startPortico } from '../../src/main/core/app';
import type { Workspace } from '../../src/main/core/store/schema';
import { KeyFileProvider } from '../../src/main/core/store/secrets';
import { connectorSlug, generateActions } from '../lib/workspace';

interface Config {
  setup: 'http' | 'everything' | 'scale' | 'soak';
  upstream?: string;
  everything?: { command: string; args: string[] };
  connectors?: number;
  actions?: number;
  customers?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
const app = await startPortico({
  dataDir,
  host: '127.0.0.1',
  port: 0,
  keyProvider: new KeyFileProvider(),
  log: (line) => process.stderr.write(`[portico] ${line}\n`),
});

async function admin(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = await app.callTool(name, args, 'internal');
  if (!result.ok) throw new Error(`${name}: ${result.error}`);
  return result.value as Record<string, unknown>;
}

function benchSpec() {
  return {
    openapi: '3.0.3',
    info: { title: 'Bench API', version: '1' },
    paths: {
      '/items/{itemId}': {
        get: {
          operationId: 'getItem',
          summary: 'Get an item by id',
          parameters: [
            { name: 'itemId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'verbose', in: 'query', schema: { type: 'boolean' } },
          ],
          responses: { '200': { description: 'ok' } },
        },
      },
      '/items': {
        post: {
          operationId: 'createItem',
          summary: 'Create an item',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { name: { type: 'string' }, count: { type: 'integer' } },
                  required: ['name'],
                },
              },
            },
          },
          responses: { '201': { description: 'created' } },
        },
      },
    },
  };
}

/** One HTTP connector ("bench", API key in a header) connected for each customer. */
async function setupHttp(customers: string[]): Promise<void> {
  const imported = await admin('import_openapi', {
    slug: 'bench',
    spec: benchSpec(),
    base_url: config.upstream,
  });
  const connectorId = String(imported.connector_id);
  await admin('set_auth_config', {
    connector_id: connectorId,
    scheme: 'api_key',
    in: 'header',
    name: 'X-Api-Key',
  });
  for (const id of customers) {
    await admin('create_customer', { id, name: id.toUpperCase() });
    await admin('create_connection', {
      customer_id: id,
      connector_id: connectorId,
      credentials: { api_key: `key-${id}-0123456789` },
    });
    await admin('configure_customer_tools', { customer_id: id, mode: 'all', tool_mode: 'direct' });
  }
}

async function setupEverything(customers: string[]): Promise<void> {
  const { command, args } = config.everything ?? { command: '', args: [] };
  const created = await admin('create_connector', {
    slug: 'everything',
    name: 'Everything',
    kind: 'mcp',
    transport: 'stdio',
    command,
    args,
  });
  const connectorId = String(created.id);
  await admin('refresh_connector', { connector_id: connectorId });
  for (const id of customers) {
    await admin('create_customer', { id, name: id.toUpperCase() }).catch(() => undefined);
    await admin('create_connection', { customer_id: id, connector_id: connectorId, credentials: {} });
    await admin('configure_customer_tools', { customer_id: id, mode: 'all', tool_mode: 'direct' });
  }
}

/** 200 connectors × 50 actions across 100 customers, in one store.mutate. */
function setupScale(): Record<string, unknown> {
  const connectors = config.connectors ?? 200;
  const actions = config.actions ?? 50;
  const customers = config.customers ?? 100;
  const time = new Date().toISOString();
  const started = performance.now();
  app.store.mutate((ws: Workspace) => {
    for (let c = 0; c < connectors; c += 1) {
      const slug = connectorSlug(c);
      ws.connectors[slug] = {
        id: slug,
        slug,
        name: `${slug.toUpperCase()} API`,
        description: `Generated connector ${slug}`,
        kind: 'http',
        baseUrl: config.upstream ?? 'http://127.0.0.1:9',
        actions: generateActions(c, actions).map((a) => ({
          name: a.name,
          description: a.description,
          inputSchema: a.inputSchema,
          annotations:
            a.method === 'GET'
              ? { readOnlyHint: true }
              : a.method === 'DELETE'
                ? { destructiveHint: true }
                : {},
          enabled: true,
          http: { method: a.method, path: a.path, params: a.params.map((p) => ({ ...p, required: false })) },
        })),
        createdAt: time,
        updatedAt: time,
      };
      ws.authConfigs[slug] = {
        connectorId: slug,
        scheme: 'api_key',
        in: 'header',
        name: 'X-Api-Key',
        updatedAt: time,
      };
    }
    for (let k = 0; k < customers; k += 1) {
      const id = `c${String(k).padStart(3, '0')}`;
      // c000 and c001 are exposed to every connector (c000 direct, c001 search); the rest to 20 each.
      const linked =
        k < 2
          ? Array.from({ length: connectors }, (_, i) => i)
          : Array.from({ length: 20 }, (_, i) => (k * 7 + i) % connectors);
      ws.customers[id] = {
        id,
        name: `Customer ${k}`,
        exposure: {
          mode: 'all',
          connectorIds: [],
          actions: {},
          toolMode: k === 0 ? 'direct' : k === 1 ? 'search' : 'auto',
        },
        metadata: {},
        createdAt: time,
        updatedAt: time,
      };
      for (const c of linked) {
        const slug = connectorSlug(c);
        const connId = `conn_${id}_${slug}`;
        ws.connections[connId] = {
          id: connId,
          customerId: id,
          connectorId: slug,
          credentials: app.store.secrets.seal({ api_key: `key-${id}-${slug}` }, `connection:${connId}`),
          credentialKeys: ['api_key'],
          status: 'active',
          createdAt: time,
          updatedAt: time,
        };
      }
    }
  });
  return { writeMs: Math.round(performance.now() - started), tools: connectors * actions, customers };
}

let extra: Record<string, unknown> = {};
const customerCount = config.customers ?? 1;
const customerIds = Array.from({ length: customerCount }, (_, i) =>
  customerCount === 1 ? 'acme' : `cust${String(i).padStart(2, '0')}`,
);
if (config.setup === 'http') await setupHttp(customerIds);
if (config.setup === 'everything') await setupEverything(customerIds);
if (config.setup === 'soak') {
  await setupHttp(customerIds);
  // A quarter of the customers also reach server-everything over stdio (child processes).
  await setupEverything(customerIds.filter((_, i) => i % 4 === 0));
}
if (config.setup === 'scale') extra = setupScale();

const adminKey = app.store.mutate((ws) => mintKey(ws, { name: 'bench admin', scope: 'admin' })).key;
const gatewayKey = app.store.mutate((ws) => mintKey(ws, { name: 'bench gateway', scope: 'gateway' })).key;

const stats = () => {
  const app2 = app as typeof app & { sessionCount?: () => unknown };
  return {
    rssMb: Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10,
    heapMb: Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10,
    sessions: app2.sessionCount?.() ?? null,
    heapTotalMb: Math.round((process.memoryUsage().heapTotal / 1024 / 1024) * 10) / 10,
    externalMb: Math.round((process.memoryUsage().external / 1024 / 1024) * 10) / 10,
    arrayBuffersMb: Math.round((process.memoryUsage().arrayBuffers / 1024 / 1024) * 10) / 10,
  };
};

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'gc') (globalThis as { gc?: () => void }).gc?.();
  if (line.trim() === 'stats' || line.trim() === 'gc')
    process.stdout.write(`STATS ${JSON.stringify(stats())}\n`);
});

process.stdout.write(
  `READY ${JSON.stringify({ url: app.url, adminKey, gatewayKey, customers: customerIds, dataDir, ...extra })}\n`,
);

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void app.close().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
