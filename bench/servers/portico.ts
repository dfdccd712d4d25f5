// Portico under test: startPortico from the sources (bundled by scripts/bench.mjs), in its own
// process, set up through the admin registry (the same code path as the admin MCP tools), or —
// for the large workspaces (10,000 tools, 10,000 customers, 10,000 connections) — written straight
// through store.mutate for speed. Prints `READY {url, adminKey, gatewayKey, dataDir, …}`; on stdin,
// `stats` prints `STATS {…}` (memory, sessions, and the store's local and external changes).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { mintKey } from '../../src/main/core/admin/keys';
import { startPortico } from '../../src/main/core/app';
import { KeyFileProvider } from '../../src/main/core/store/secrets';
import { benchSpec } from '../lib/bench-spec';
import { writeOtherConnections, writeScaleWorkspace } from '../lib/scale-workspace';

interface Config {
  setup: 'http' | 'everything' | 'scale' | 'soak' | 'scrub';
  upstream?: string;
  everything?: { command: string; args: string[] };
  /** everything: server-everything's Streamable HTTP URL instead of a stdio command. */
  everythingUrl?: string;
  connectors?: number;
  actions?: number;
  customers?: number;
  /** scale: customers connected to every connector (default 2); links: connectors per other customer (20). */
  wide?: number;
  links?: number;
  /** scrub: connections in the workspace, acme's included. */
  connections?: number;
  /** Session limits (the soak shortens the idle timeout to watch sessions expire). */
  sessionIdleTimeoutSeconds?: number;
  maxSessionsPerKey?: number;
  /** A webhook subscribed to every event, sending to this URL. */
  webhookUrl?: string;
  /** Team mode: the workspace on this PostgreSQL database instead of SQLite in the data dir. */
  databaseUrl?: string;
  /**
   * Team mode: another replica of a workspace already set up on `databaseUrl` (no setup here), whose
   * first replica's data dir this is — replicas share its secrets key file.
   */
  replicaOf?: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
if (config.replicaOf) copyFileSync(join(config.replicaOf, 'secret.key'), join(dataDir, 'secret.key'));
const app = await startPortico({
  dataDir,
  host: '127.0.0.1',
  port: 0,
  keyProvider: new KeyFileProvider(),
  ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  log: (line) => process.stderr.write(`[portico] ${line}\n`),
  sessionIdleTimeoutSeconds: config.sessionIdleTimeoutSeconds,
  maxSessionsPerKey: config.maxSessionsPerKey,
});

async function admin(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = await app.callTool(name, args, 'internal');
  if (!result.ok) throw new Error(`${name}: ${result.error}`);
  return result.value as Record<string, unknown>;
}

/** One HTTP connector ("bench", API key in a header) connected for each customer. */
async function setupHttp(customers: string[]): Promise<string> {
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
  return connectorId;
}

async function setupEverything(customers: string[]): Promise<void> {
  const { command, args } = config.everything ?? { command: '', args: [] };
  const created = await admin('create_connector', {
    slug: 'everything',
    name: 'Everything',
    kind: 'mcp',
    ...(config.everythingUrl
      ? { transport: 'http', url: config.everythingUrl }
      : { transport: 'stdio', command, args }),
  });
  const connectorId = String(created.id);
  await admin('refresh_connector', { connector_id: connectorId });
  for (const id of customers) {
    await admin('create_customer', { id, name: id.toUpperCase() }).catch(() => undefined);
    await admin('create_connection', { customer_id: id, connector_id: connectorId, credentials: {} });
    await admin('configure_customer_tools', { customer_id: id, mode: 'all', tool_mode: 'direct' });
  }
}

let extra: Record<string, unknown> = {};
const customerCount =
  config.setup === 'scale' || config.setup === 'scrub' || config.replicaOf ? 0 : (config.customers ?? 1);
const customerIds = Array.from({ length: customerCount }, (_, i) =>
  customerCount === 1 ? 'acme' : `cust${String(i).padStart(2, '0')}`,
);
if (config.setup === 'http' && !config.replicaOf) await setupHttp(customerIds);
if (config.setup === 'everything') await setupEverything(customerIds);
if (config.setup === 'soak') {
  await setupHttp(customerIds);
  // A quarter of the customers also reach server-everything over stdio (child processes).
  await setupEverything(customerIds.filter((_, i) => i % 4 === 0));
}
if (config.setup === 'scale') {
  extra = await writeScaleWorkspace(app.store, {
    connectors: config.connectors ?? 200,
    actions: config.actions ?? 50,
    customers: config.customers ?? 100,
    wide: config.wide ?? 2,
    links: config.links ?? 20,
    upstream: config.upstream,
  });
}
if (config.setup === 'scrub') {
  const connectorId = await setupHttp(['acme']);
  const others = Math.max(0, (config.connections ?? 10) - 1);
  extra = { connections: others + 1, ...(await writeOtherConnections(app.store, connectorId, others)) };
}

if (config.webhookUrl) await admin('create_webhook', { url: config.webhookUrl, events: ['*'] });

const adminKey = app.store.mutate((ws) => mintKey(ws, { name: 'bench admin', scope: 'admin' })).key;
const gatewayKey = app.store.mutate((ws) => mintKey(ws, { name: 'bench gateway', scope: 'gateway' })).key;
await app.store.flushed();
const changes = { local: 0, external: 0 };
app.store.onChange((source) => {
  changes[source] += 1;
});

const stats = () => {
  const app2 = app as typeof app & { sessionCount?: () => unknown };
  return {
    rssMb: Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10,
    heapMb: Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10,
    sessions: app2.sessionCount?.() ?? null,
    heapTotalMb: Math.round((process.memoryUsage().heapTotal / 1024 / 1024) * 10) / 10,
    externalMb: Math.round((process.memoryUsage().external / 1024 / 1024) * 10) / 10,
    arrayBuffersMb: Math.round((process.memoryUsage().arrayBuffers / 1024 / 1024) * 10) / 10,
    changes,
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
