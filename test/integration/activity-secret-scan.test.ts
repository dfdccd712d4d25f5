// Issue 13 (governance), the secret scan: a workspace whose connections hold distinctive
// credentials (API key, bearer token, Basic password, OAuth tokens and client secret, MCP env and
// headers) is called on both planes from every entry point — mcp, api, cli, ipc, tray — including
// failing calls whose arguments carry the secrets and whose upstream echoes them back in a 500 body.
// Then the whole activity log (list_activity over every page, the raw rows and the SQLite files)
// and the server's log lines are scanned: no secret appears in any encoding.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnPortico } from '../helpers/fault-util';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

const SECRETS = {
  apiKey: 'ak-Scan/Secret+Key=7f3a91c0',
  token: 'bt-ScanSecretBearer-5e8d2b7a19',
  password: 'pw:Scan/Secret&Pass-4c6e',
  accessToken: 'oa-ScanSecretAccess-8b1f0d3e',
  refreshToken: 'or-ScanSecretRefresh-2a9c7e51',
  clientSecret: 'cs-ScanSecretClient-6d4b3f20',
  mcpEnv: 'env-ScanSecretEnv-9e7a5c31',
  mcpHeader: 'hdr-ScanSecretHeader-1f8b6d42',
  connectorHeader: 'chd-ScanSecretConnector-3c5e7a90',
};
const BASIC = Buffer.from(`scan-user:${SECRETS.password}`).toString('base64');

/** Every form a secret could be stored in. */
function forms(secret: string): string[] {
  return [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    JSON.stringify(secret).slice(1, -1),
  ];
}

/** An upstream that echoes every request — URL, headers, body — back: 200 on /ok, 500 elsewhere. */
async function leakyUpstream() {
  const received: string[] = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const seen = JSON.stringify({ url: req.url, headers: req.headers, body });
      received.push(seen);
      if (req.url?.startsWith('/ok')) res.writeHead(200, { 'content-type': 'application/json' }).end(seen);
      else res.writeHead(500, { 'content-type': 'text/plain' }).end(`upstream refused, you sent ${seen}`);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  afterAll(() => {
    http.closeAllConnections();
    http.close();
  });
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, received };
}

/** Every file under a directory, as one string (binary files decoded as latin1: bytes survive). */
function readTree(dir: string): string {
  let out = '';
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out += readTree(path);
    else if (entry.isFile()) out += readFileSync(path).toString('latin1');
  }
  return out;
}

describe('the activity log holds no secret', () => {
  it('after successes and failures on both planes from every entry point', async () => {
    const gw = await startTestGateway();
    afterAll(() => gw.app.close());
    const up = await leakyUpstream();
    const admin = async (name: string, args: unknown) => {
      const r = await gw.app.callTool(name, args, 'internal');
      if (!r.ok) throw new Error(`${name}: ${r.error}`);
      return r.value as Record<string, unknown>;
    };

    await admin('create_customer', { id: 'acme', name: 'Acme' });
    const http = async (
      slug: string,
      auth: Record<string, unknown>,
      credentials: Record<string, unknown>,
    ) => {
      await admin('create_connector', { slug, name: slug, kind: 'http', base_url: up.url });
      await admin('set_auth_config', { connector_id: slug, ...auth });
      await admin('create_action', {
        connector_id: slug,
        name: 'ok',
        method: 'GET',
        path: '/ok',
        params: [{ name: 'q', in: 'query' }],
      });
      await admin('create_action', {
        connector_id: slug,
        name: 'fail',
        method: 'GET',
        path: '/fail',
        params: [{ name: 'note', in: 'query' }],
      });
      await admin('create_connection', { customer_id: 'acme', connector_id: slug, credentials });
    };
    await http('keyed', { scheme: 'api_key', in: 'header', name: 'X-Api-Key' }, { api_key: SECRETS.apiKey });
    await http('bearer', { scheme: 'bearer' }, { token: SECRETS.token });
    await http('basic', { scheme: 'basic' }, { username: 'scan-user', password: SECRETS.password });
    await http(
      'oauth',
      {
        scheme: 'oauth2',
        grant: 'authorization_code',
        client_id: 'scan-client',
        client_secret: SECRETS.clientSecret,
        authorize_url: `${up.url}/authorize`,
        token_url: `${up.url}/token`,
        scopes: ['read'],
      },
      {
        access_token: SECRETS.accessToken,
        refresh_token: SECRETS.refreshToken,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      },
    );
    // MCP upstreams: over HTTP (the leaky server answers 500 with the headers it got) and stdio (a
    // command that prints its environment's secret and fails).
    await admin('create_connector', {
      slug: 'mcphttp',
      name: 'MCP HTTP',
      kind: 'mcp',
      transport: 'http',
      url: `${up.url}/mcp`,
      headers: { 'x-connector-secret': SECRETS.connectorHeader },
    });
    await admin('create_connection', {
      customer_id: 'acme',
      connector_id: 'mcphttp',
      credentials: { headers: { 'x-customer-secret': SECRETS.mcpHeader } },
    });
    await admin('create_connector', {
      slug: 'mcpstdio',
      name: 'MCP stdio',
      kind: 'mcp',
      transport: 'stdio',
      command: process.execPath,
      args: [
        '-e',
        'console.log("leaked " + process.env.SCAN_SECRET); console.error(process.env.SCAN_SECRET); process.exit(3)',
      ],
    });
    await admin('create_connection', {
      customer_id: 'acme',
      connector_id: 'mcpstdio',
      credentials: { env: { SCAN_SECRET: SECRETS.mcpEnv } },
    });
    const connections = (await admin('list_connections', { customer_id: 'acme' })).connections as {
      id: string;
      connector_id: string;
    }[];
    const connectionOf = (slug: string) => connections.find((c) => c.connector_id === slug)?.id ?? '';

    // Data plane (mcp): every connector, a success and a failure whose arguments carry secrets.
    const client = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    for (const slug of ['keyed', 'bearer', 'basic', 'oauth']) {
      const ok = (await client.callTool({ name: `${slug}__ok`, arguments: { q: 'hello' } })) as {
        isError?: boolean;
      };
      expect(ok.isError, `${slug}__ok`).toBeFalsy();
      const failed = (await client.callTool({
        name: `${slug}__fail`,
        arguments: { note: `my key is ${SECRETS.apiKey} and ${SECRETS.token}` },
      })) as { isError?: boolean };
      expect(failed.isError, `${slug}__fail`).toBe(true);
    }
    // Bad arguments and unknown tools, with secrets in their arguments, fail before any upstream.
    await client.callTool({ name: 'keyed__ok', arguments: { q: 1, password: SECRETS.password } });
    await client.callTool({ name: 'nope__missing', arguments: { token: SECRETS.token } });
    await client.close();

    // Admin plane from every door: calls that succeed, and calls that fail with secrets in their
    // arguments or in the upstream's answer.
    const adminCalls: [string, Record<string, unknown>][] = [
      ['list_connections', {}],
      ['test_connection', { connection_id: connectionOf('keyed') }],
      ['test_connection', { connection_id: connectionOf('mcphttp') }],
      ['test_connection', { connection_id: connectionOf('mcpstdio') }],
      ['refresh_connection', { connection_id: connectionOf('oauth') }],
      ['refresh_connector', { connector_id: 'mcphttp', customer_id: 'acme' }],
      ['refresh_connector', { connector_id: 'mcpstdio', customer_id: 'acme' }],
      [
        'test_action',
        { customer_id: 'acme', tool: 'bearer__fail', arguments: { note: SECRETS.refreshToken } },
      ],
      [
        'create_connection',
        { customer_id: 'ghost', connector_id: 'keyed', credentials: { api_key: SECRETS.apiKey } },
      ],
      [
        'update_connection',
        { connection_id: 'nope', credentials: { token: SECRETS.token, password: SECRETS.password } },
      ],
      ['set_auth_config', { connector_id: 'ghost', scheme: 'oauth2', client_secret: SECRETS.clientSecret }],
      [
        'create_connection',
        {
          customer_id: 'acme',
          connector_id: 'keyed',
          credentials: { api_key: 7, token: SECRETS.accessToken },
        },
      ],
    ];
    const adminClient = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
    for (const [name, args] of adminCalls) {
      await adminClient.callTool({ name, arguments: args });
      const api = await fetch(`${gw.app.url}/api/tools/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(gw.adminKey) },
        body: JSON.stringify(args),
      });
      await api.text();
      await gw.app.callTool(name, args, 'ipc');
      await gw.app.callTool(name, args, 'tray');
    }
    // The real CLI, through the running server.
    for (const [name, args] of adminCalls.slice(-4)) {
      const run = await spawnPortico(['admin', name, JSON.stringify(args), '--data-dir', gw.dataDir]).done;
      expect(run.code, run.stderr).toBe(1);
    }
    const cliOk = await spawnPortico([
      'admin',
      'test_connection',
      JSON.stringify({ connection_id: connectionOf('basic') }),
      '--data-dir',
      gw.dataDir,
    ]).done;
    expect(cliOk.code, cliOk.stderr).toBe(0);

    // The secrets did reach the upstream (so the scan below is not vacuous).
    const sent = up.received.join('\n');
    for (const secret of [
      SECRETS.apiKey,
      SECRETS.token,
      SECRETS.accessToken,
      SECRETS.connectorHeader,
      SECRETS.mcpHeader,
    ])
      expect(sent).toContain(secret);
    expect(sent).toContain(BASIC);

    // list_activity, every page.
    await gw.app.services.activity.flush();
    type Entry = { entry_point: string; plane: string; outcome: string };
    type Page = { structuredContent: { entries: Entry[]; next_cursor?: string | null } };
    const pages: Page[] = [];
    let cursor: string | undefined;
    do {
      const page = (await adminClient.callTool({
        name: 'list_activity',
        arguments: { limit: 25, ...(cursor ? { cursor } : {}) },
      })) as unknown as Page;
      pages.push(page);
      cursor = page.structuredContent.next_cursor ?? undefined;
    } while (cursor);
    await adminClient.close();
    const entries = pages.flatMap((p) => p.structuredContent.entries);
    expect(pages.length).toBeGreaterThan(2);
    const seen = (plane: string, outcome: string) =>
      new Set(entries.filter((e) => e.plane === plane && e.outcome === outcome).map((e) => e.entry_point));
    for (const door of ['mcp', 'api', 'cli', 'ipc', 'tray']) {
      expect(seen('admin', 'ok'), door).toContain(door);
      expect(seen('admin', 'error'), door).toContain(door);
    }
    expect(seen('gateway', 'ok')).toContain('mcp');
    expect(seen('gateway', 'error')).toContain('mcp');

    // The raw rows, every column.
    const database = gw.app.store.database;
    if (!database) throw new Error('no database');
    const rows = await database.db.selectFrom('activity').selectAll().execute();
    expect(rows.length).toBeGreaterThanOrEqual(entries.length);
    expect(rows.some((r) => r.error)).toBe(true);

    const scanned: [string, string][] = [
      ['list_activity', JSON.stringify(pages)],
      ['activity rows', JSON.stringify(rows)],
      ['server log', gw.logs.join('\n')],
    ];
    // SQLite: the database files themselves (the activity table's pages, the WAL).
    if (!process.env.PORTICO_TEST_ENGINE || process.env.PORTICO_TEST_ENGINE === 'sqlite')
      scanned.push(['database files', readTree(gw.dataDir)]);
    const leaks: string[] = [];
    for (const [where, text] of scanned) {
      for (const [name, secret] of Object.entries(SECRETS))
        for (const form of forms(secret))
          if (text.includes(form)) leaks.push(`${name} (${form}) in ${where}`);
      if (text.includes(BASIC)) leaks.push(`the Basic header in ${where}`);
    }
    expect(leaks).toEqual([]);
  }, 120_000);
});
