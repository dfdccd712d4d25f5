import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll } from 'vitest';
import { mintKey } from '../../src/main/core/admin/keys';
import { type PorticoApp, type StartOptions, startPortico } from '../../src/main/core/app';
import { workspaceTarget } from './store';

/**
 * A real Portico server in this process on a free loopback port, with a fresh data dir — and, in
 * the test run's `postgres` project (PORTICO_TEST_ENGINE=postgres), a fresh PostgreSQL database.
 */
export async function startTestGateway(
  options: Pick<
    StartOptions,
    'noAdmin' | 'noGateway' | 'maxSessionsPerKey' | 'sessionIdleTimeoutSeconds'
  > = {},
) {
  const engine = process.env.PORTICO_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
  const { dataDir, databaseUrl } = await workspaceTarget(engine);
  const logs: string[] = [];
  const app: PorticoApp = await startPortico({
    dataDir,
    databaseUrl,
    port: 0,
    host: '127.0.0.1',
    log: (l) => logs.push(l),
    ...options,
  });
  const mint = (scope: 'admin' | 'gateway', customers?: string[]) =>
    app.store.mutate((ws) => mintKey(ws, { name: `test ${scope}`, scope, customers })).key;
  afterAll(() => app.close());
  return { app, dataDir, logs, mint, adminKey: mint('admin') };
}

/** An MCP SDK client connected over Streamable HTTP, as Claude or Cursor would. */
export async function connectClient(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'portico-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Posts a raw JSON-RPC body, as a hostile or broken client might. */
export async function rawPost(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body,
  });
  const text = await res.text();
  let json: { error?: { code: number; message: string } } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const initializeBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
