// The workspace UI as a new user meets it, end to end against a real `portico serve` in Debian's
// Chromium: sign in through the printed link, create a key, add a catalog connector, import an
// OpenAPI document, create a customer, connect it through the customer-facing connect page,
// expose one connector, see the preview match what an MCP client lists, call a tool and see the
// call arrive in Activity live, add Portico to Cursor, and switch the data plane off.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectAccessible,
  loginLink,
  newUiPage,
  screenshots,
  signIn,
} from '../helpers/browser';
import { portico, serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

if (!chromiumAvailable) console.log('web UI new-user e2e skipped: no Chromium at /usr/bin/chromium');

const UPSTREAM_KEY = 'sk-notes-7f3a9c';

/** A notes API on 127.0.0.1 that wants its key in X-API-Key. */
async function notesApi() {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url} ${req.headers['x-api-key'] ?? '-'}`);
    if (req.headers['x-api-key'] !== UPSTREAM_KEY) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad key"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify([{ id: 'n1', text: 'hello' }]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen };
}

const spec = (baseUrl: string) =>
  JSON.stringify(
    {
      openapi: '3.0.3',
      info: { title: 'Notes', version: '1.0.0' },
      servers: [{ url: baseUrl }],
      components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
      security: [{ key: [] }],
      paths: {
        '/notes': {
          get: {
            operationId: 'list_notes',
            summary: 'List notes',
            responses: { '200': { description: 'ok' } },
          },
        },
        '/notes/{id}': {
          delete: {
            operationId: 'delete_note',
            summary: 'Delete a note',
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            responses: { '204': { description: 'gone' } },
          },
        },
      },
    },
    null,
    2,
  );

/** Every client config path into a temp home: nothing here touches the real one. */
function clientEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    APPDATA: join(home, 'AppData'),
  };
  for (const name of [
    'CLAUDE_DESKTOP',
    'CURSOR',
    'CLAUDE_CODE',
    'VSCODE',
    'WINDSURF',
    'CODEX',
    'GEMINI_CLI',
    'CLINE',
  ])
    env[`PORTICO_${name}_CONFIG`] = join(home, name.toLowerCase(), 'config.json');
  return env;
}

describe.skipIf(!chromiumAvailable)('the workspace UI for a new user', () => {
  it('runs the whole first session, live, and ends with the data plane switched off', async () => {
    const api = await notesApi();
    const dataDir = tempDir();
    const home = tempDir('portico-home-');
    const env = clientEnv(home);
    const served = await serve(['--data-dir', dataDir], env);
    const admin = (tool: string, input: unknown = {}) => {
      const run = portico(['--data-dir', dataDir, 'admin', tool, JSON.stringify(input)]);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as Record<string, unknown>;
    };
    const { page, problems, context } = await signIn(loginLink(served));
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await expectAccessible(page, 'overview (new workspace)');

    // A key for the agent, shown once.
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    const keyDialog = page.getByRole('dialog', { name: 'Create an API key' });
    await keyDialog.getByLabel('Name').fill('Acme agent');
    await keyDialog.getByLabel('Scope').selectOption('gateway');
    await keyDialog.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    await shown.getByText("you won't see this again").waitFor();
    const gatewayKey = (await shown.locator('.secret-value').textContent()) ?? '';
    expect(gatewayKey).toMatch(/^ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}$/);
    await expectAccessible(page, 'new key dialog');
    await shown.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('cell', { name: 'Acme agent', exact: true }).waitFor();
    expect(await page.getByText(gatewayKey).count()).toBe(0);
    await expectAccessible(page, 'API keys');
    await screenshots(page, 'keys');

    // A catalog connector in one click, and an OpenAPI document pasted in.
    await page.getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('button', { name: 'Add JSONPlaceholder (fake REST API)' }).click();
    await expect
      .poll(() => (admin('list_connectors').connectors as { id: string }[]).map((c) => c.id))
      .toContain('jsonplaceholder');
    await page.getByRole('button', { name: 'Import OpenAPI' }).click();
    const importDialog = page.getByRole('dialog', { name: 'Import an OpenAPI document' });
    await importDialog.getByLabel('Slug').fill('notes');
    await importDialog.getByLabel('OpenAPI document (JSON or YAML)').fill(spec(api.url));
    await importDialog.getByRole('button', { name: 'Import' }).click();
    await page.waitForURL(/#\/connectors\/notes$/);
    await page.getByText('list_notes').first().waitFor();

    // A customer: invalid input writes nothing; a duplicate shows the server's message.
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('button', { name: 'Create customer' }).click();
    const create = page.getByRole('dialog', { name: 'Create a customer' });
    await create.getByLabel('Customer id').fill('not an id!');
    await create.getByLabel('Name').fill('Acme Inc.');
    await create.getByRole('button', { name: 'Create customer' }).click();
    await create.locator('.field-error').first().waitFor();
    expect(admin('list_customers').total).toBe(0);
    await create.getByLabel('Customer id').fill('acme');
    await create.getByRole('button', { name: 'Create customer' }).click();
    await page.waitForURL(/#\/customers\/acme$/);
    await page.getByText('No tools configured. Click Configure to enable connectors.').first().waitFor();
    await expectAccessible(page, 'new customer');

    // A second tab sees changes live, without reloading.
    const second = await context.newPage();
    await second.goto(`${served.url}/#/customers`);
    await second.getByRole('link', { name: 'Acme Inc.' }).waitFor();
    admin('create_customer', { id: 'globex', name: 'Globex' });
    await second.getByRole('link', { name: 'Globex' }).waitFor({ timeout: 5_000 });
    await page.bringToFront();
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('button', { name: 'Create customer' }).click();
    await create.getByLabel('Customer id').fill('globex');
    await create.getByLabel('Name').fill('Globex again');
    await create.getByRole('button', { name: 'Create customer' }).click();
    await create.getByText(/already exists/).waitFor();
    await create.getByRole('button', { name: 'Cancel' }).click();

    // The customer connects through the connect page — a link sent to them, no admin session.
    const link = admin('get_connect_url', { customer_id: 'acme', connector_id: 'notes' });
    const customerSide = await newUiPage();
    await customerSide.page.goto(String(link.url));
    await customerSide.page.getByRole('heading', { name: 'Connect Notes' }).waitFor();
    await expectAccessible(customerSide.page, 'connect page');
    await screenshots(customerSide.page, 'connect');
    await customerSide.page.getByLabel('API key (sent as header X-API-Key)').fill(UPSTREAM_KEY);
    await customerSide.page.getByRole('button', { name: 'Connect' }).click();
    await customerSide.page.getByText('Notes is connected for Acme Inc.').waitFor();
    expect(customerSide.problems).toEqual([]);
    await customerSide.page.reload();
    await customerSide.page.getByText(/already used/).waitFor();
    await customerSide.context.close();

    // Selected only, with the notes connector: the preview is what an MCP client then lists.
    await page.goto(`${served.url}/#/customers/acme`);
    await page
      .getByRole('cell', { name: /Notes|notes/ })
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Configure' }).click();
    const editor = page.getByRole('dialog', { name: 'Configure tools — Acme Inc.' });
    await editor.getByLabel('Selected only').check();
    await editor.getByRole('checkbox', { name: /^Notes/ }).check();
    await editor.getByText('notes__list_notes').waitFor();
    await expectAccessible(page, 'exposure editor');
    await screenshots(page, 'exposure-editor');
    await editor.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved the tools of “Acme Inc.”.').waitFor();
    await editor.getByRole('button', { name: 'Done' }).click();
    const previewNames = (
      (admin('preview_customer_tools', { customer_id: 'acme' }).tools as { name: string }[]) ?? []
    )
      .map((t) => t.name)
      .sort();
    expect(previewNames).toEqual(['notes__delete_note', 'notes__list_notes']);
    for (const name of previewNames) await page.getByText(name, { exact: true }).first().waitFor();
    await screenshots(page, 'customer');

    const client = new Client({ name: 'new-user-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${served.url}/mcp/gateway?customer_id=acme`), {
        requestInit: { headers: { authorization: `Bearer ${gatewayKey}` } },
      }),
    );
    const listed = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(listed).toEqual(previewNames);

    // A call from the client shows up in Activity by itself.
    await page.getByRole('link', { name: 'Activity' }).click();
    const table = page.getByRole('table', { name: 'Activity' }).or(page.getByText(/No calls/));
    await table.first().waitFor();
    const result = await client.callTool({ name: 'notes__list_notes', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.content)).toContain('hello');
    expect(api.seen.at(-1)).toBe(`GET /notes ${UPSTREAM_KEY}`);
    await page
      .getByRole('table', { name: 'Activity' })
      .getByRole('row')
      .filter({ hasText: 'notes__list_notes' })
      .waitFor({ timeout: 5_000 });
    await expectAccessible(page, 'activity');
    await screenshots(page, 'activity');

    // Portico in Cursor, from the Clients page (the config path is a temp file).
    await page.getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('button', { name: 'Add to Cursor' }).click();
    await expect
      .poll(() => {
        try {
          return Object.keys(
            (JSON.parse(readFileSync(env.PORTICO_CURSOR_CONFIG as string, 'utf8')) as { mcpServers: object })
              .mcpServers,
          );
        } catch {
          return [];
        }
      })
      .toContain('portico-admin');
    await expectAccessible(page, 'clients');
    await screenshots(page, 'clients');

    // The data plane off, from the Overview: the client's next request gets 503.
    await page.getByRole('link', { name: 'Overview' }).click();
    const dataPlane = page.getByRole('switch', { name: 'Customer gateway (data plane) on or off' });
    await dataPlane.click();
    await expect.poll(() => dataPlane.getAttribute('aria-checked')).toBe('false');
    const refused = await fetch(`${served.url}/mcp/gateway?customer_id=acme`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gatewayKey}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(refused.status).toBe(503);
    await expect(client.listTools()).rejects.toThrow(/503|switched off/);
    await page.getByText('Calls today').waitFor();
    await expectAccessible(page, 'overview (in use)');
    await screenshots(page, 'overview');

    // Only the refusals this session provoked on purpose reached the console.
    for (const problem of problems) expect(problem).toMatch(/status of (400|409)/);
    await client.close().catch(() => {});
    await context.close();
    expect(await served.stop()).toBe(0);
  }, 180_000); // ~40 s on an idle 2-core machine; a busy one needs more
});
