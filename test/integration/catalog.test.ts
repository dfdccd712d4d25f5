import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServerCommand } from '../helpers/everything';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

// Traffic never leaves 127.0.0.1: HTTP entries get a loopback base_url, and the only MCP server
// started is the locally installed server-everything (no npx of a remote package).

const TOKEN = 'ghp_catalogTestToken0123456789';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A stand-in for api.github.com on loopback that records what it receives. */
async function startFakeGitHub() {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { message: 'Bad credentials' });
      if (req.method === 'POST' && req.url === '/repos/octo/hello/issues') {
        const { title } = JSON.parse(body) as { title: string };
        return json(201, {
          id: 7,
          number: 1,
          title,
          state: 'open',
          html_url: 'http://127.0.0.1/octo/hello/1',
        });
      }
      return json(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let api: Awaited<ReturnType<typeof startFakeGitHub>>;
let client: Client;
const outputs: string[] = [];

type Result = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: { type: string; text?: string }[];
};
async function call(name: string, args: Record<string, unknown>): Promise<Result> {
  const result = (await client.callTool({ name, arguments: args })) as Result;
  outputs.push(JSON.stringify(result));
  return result;
}
const ok = async (name: string, args: Record<string, unknown>) => {
  const result = await call(name, args);
  expect(result.isError, `${name}: ${result.content[0]?.text}`).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
};
const fails = async (name: string, args: Record<string, unknown>, message: RegExp) => {
  const result = await call(name, args);
  expect(result.isError, name).toBe(true);
  expect(result.content[0]?.text).toMatch(message);
};

beforeAll(async () => {
  gw = await startTestGateway();
  api = await startFakeGitHub();
  client = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
});
afterAll(async () => {
  await client?.close();
  await gw?.app.close();
  await api?.close();
});

describe('the connector catalog over the Admin MCP server', () => {
  it('lists the catalog tools with schemas and honest annotations', async () => {
    const { tools } = await client.listTools();
    const list = tools.find((t) => t.name === 'list_catalog');
    const add = tools.find((t) => t.name === 'add_catalog_connector');
    expect(list?.annotations?.readOnlyHint).toBe(true);
    expect(add?.annotations?.readOnlyHint).toBe(false);
    for (const tool of [list, add]) {
      expect(tool?.outputSchema?.type).toBe('object');
      const props = (tool?.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [field, schema] of Object.entries(props))
        expect(schema.description, `${tool?.name}.${field}`).toBeTruthy();
    }
  });

  it('list_catalog lists at least 10 entries, MCP servers and HTTP APIs, with what customers must provide', async () => {
    const { entries, total } = await ok('list_catalog', {});
    const list = entries as {
      catalog_id: string;
      kind: string;
      description: string;
      credentials_hint: string;
    }[];
    expect(list.length).toBeGreaterThanOrEqual(10);
    expect(total).toBe(list.length);
    for (const entry of list) {
      expect(entry.description.length, entry.catalog_id).toBeGreaterThan(20);
      expect(entry.credentials_hint.length, entry.catalog_id).toBeGreaterThan(5);
    }
    const ids = list.map((e) => e.catalog_id);
    for (const id of ['everything', 'memory', 'filesystem', 'github', 'github-rest', 'slack-web', 'stripe'])
      expect(ids).toContain(id);
    const github = list.find((e) => e.catalog_id === 'github');
    expect(github?.credentials_hint).toContain('GITHUB_PERSONAL_ACCESS_TOKEN');
    // The example is what the UI's connection form and the connect page ask for, field by field.
    expect((github as { credentials_example?: unknown } | undefined)?.credentials_example).toEqual({
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: expect.stringMatching(/^<.+>$/) },
    });
    const http = await ok('list_catalog', { kind: 'http', query: 'git' });
    expect((http.entries as { catalog_id: string }[]).map((e) => e.catalog_id)).toEqual(['github-rest']);
  });

  it('adds an HTTP entry against a loopback base URL; test_action sends there and only there', async () => {
    const added = await ok('add_catalog_connector', { catalog_id: 'github-rest', base_url: api.url });
    expect(added).toMatchObject({
      id: 'github-rest',
      connector_id: 'github-rest',
      slug: 'github-rest',
      kind: 'http',
      base_url: api.url,
      auth_scheme: 'bearer',
    });
    expect(added.actions).toEqual(
      expect.arrayContaining(['users_get_authenticated', 'issues_list_for_repo', 'issues_create']),
    );
    expect(added.next_steps).toMatch(/create_connection .*"token"/);

    const connector = await ok('get_connector', { connector_id: 'github-rest' });
    expect(connector.catalog_id).toBe('github-rest');
    expect(connector.action_count).toBe((added.actions as string[]).length);

    await ok('create_customer', { id: 'acme', name: 'Acme Inc.' });
    await ok('create_connection', {
      customer_id: 'acme',
      connector_id: 'github-rest',
      credentials: { token: TOKEN },
    });
    const dry = await ok('test_action', {
      customer_id: 'acme',
      connector_id: 'github-rest',
      action: 'issues_list_for_repo',
      arguments: { owner: 'octo', repo: 'hello', state: 'open' },
      dry_run: true,
    });
    const request = dry.request as { method: string; url: string; headers: Record<string, string> };
    expect(request.method).toBe('GET');
    expect(request.url).toBe(`${api.url}/repos/octo/hello/issues?state=open`);
    expect(new URL(request.url).hostname).toBe('127.0.0.1');
    expect(request.headers.authorization).toMatch(/^Bearer •+$/);
    expect(api.seen).toHaveLength(0);

    const real = await ok('test_action', {
      customer_id: 'acme',
      connector_id: 'github-rest',
      action: 'issues_create',
      arguments: { owner: 'octo', repo: 'hello', title: 'From the catalog' },
    });
    expect(real.is_error).toBe(false);
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]).toMatchObject({ method: 'POST', url: '/repos/octo/hello/issues' });
    expect(api.seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(api.seen[0]?.body ?? '{}')).toEqual({ title: 'From the catalog' });
  });

  it('shows form-encoded Slack requests going to the overridden host', async () => {
    await ok('add_catalog_connector', { catalog_id: 'slack-web', base_url: `${api.url}/api` });
    await ok('create_connection', {
      customer_id: 'acme',
      connector_id: 'slack-web',
      credentials: { token: 'xoxb-catalog-test' },
    });
    const dry = await ok('test_action', {
      customer_id: 'acme',
      tool: 'slack-web__chat_post_message',
      arguments: { channel: 'C123', text: 'hello there' },
      dry_run: true,
    });
    expect(dry.request).toMatchObject({
      method: 'POST',
      url: `${api.url}/api/chat.postMessage`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'channel=C123&text=hello+there',
    });
  });

  it('refresh_connector re-reads a catalog HTTP connector from the catalog, keeping disabled actions off', async () => {
    await ok('set_action_enabled', { connector_id: 'slack-web', action: 'users_info', enabled: false });
    const refreshed = await ok('refresh_connector', { connector_id: 'slack-web' });
    expect(refreshed.added).toEqual([]);
    expect(refreshed.removed).toEqual([]);
    const info = await ok('get_action', { connector_id: 'slack-web', action: 'users_info' });
    expect(info.enabled).toBe(false);
  });

  it('adds server-everything with a local command; refresh_connector turns its tools into actions', async () => {
    const { command, args } = everythingServerCommand();
    const added = await ok('add_catalog_connector', { catalog_id: 'everything', command, args });
    expect(added).toMatchObject({ connector_id: 'everything', kind: 'mcp', command, args, actions: [] });
    expect(added.next_steps).toMatch(/refresh_connector/);
    const refreshed = await ok('refresh_connector', { connector_id: 'everything' });
    expect(refreshed.actions).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    const connector = await ok('get_connector', { connector_id: 'everything' });
    expect(connector.catalog_id).toBe('everything');
    expect(connector.action_count).toBeGreaterThan(2);
  }, 60_000);

  it('bad input is an actionable isError and changes nothing', async () => {
    const before = JSON.stringify(gw.app.store.data);
    await fails('add_catalog_connector', { catalog_id: 'gitlab' }, /No catalog entry "gitlab".*github-rest/);
    await fails(
      'add_catalog_connector',
      { catalog_id: 'github-rest', base_url: api.url },
      /already exists.*another `slug`/,
    );
    await fails(
      'add_catalog_connector',
      { catalog_id: 'stripe', slug: 'github-rest', base_url: api.url },
      /already exists/,
    );
    await fails('add_catalog_connector', { catalog_id: 'filesystem' }, /<directory>.*`args`/);
    await fails(
      'add_catalog_connector',
      { catalog_id: 'everything', slug: 'ev2', base_url: api.url },
      /base_url/,
    );
    await fails('add_catalog_connector', { catalog_id: 'stripe', base_url: 'not a url' }, /http\(s\) URL/);
    await fails('add_catalog_connector', { catalog_id: 'stripe', slug: 'Not A Slug' }, /slug/);
    await fails('add_catalog_connector', {}, /catalog_id/);
    expect(JSON.stringify(gw.app.store.data)).toBe(before);
  });

  it('no secret appears in any tool output', () => {
    const all = outputs.join('\n');
    for (const secret of [TOKEN, 'xoxb-catalog-test', gw.adminKey]) expect(all).not.toContain(secret);
  });
});
