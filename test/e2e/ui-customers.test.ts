// The Customers area in real Chromium against a real `portico serve`: creating customers (an
// invalid one writes nothing, a duplicate shows the server's message), the empty tools state,
// search, "Selected only" with one connector and then one action (the page's tool list against the
// registry's preview), a connection through the api_key form (tested, its connect link copied,
// deleted), an OAuth connection through a provider on 127.0.0.1, rename, delete with force, an
// unknown id; and a list of 10,000 customers that stays virtualized while scrolling loads pages.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { registryOf } from '../helpers/api-registry';
import { chromiumAvailable, expectAccessible, loginLink, screenshots, signIn } from '../helpers/browser';
import { portico, serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

const NO_TOOLS = 'No tools configured. Click Configure to enable connectors.';
const SECRET = 'sk-test-5b7c9d1e3f';
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });

if (!chromiumAvailable) console.log('customers UI e2e skipped: no Chromium');

const spec = (title: string, paths: Record<string, unknown>, secured: boolean) => ({
  openapi: '3.0.3',
  info: { title, version: '1' },
  ...(secured
    ? {
        components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
        security: [{ key: [] }],
      }
    : {}),
  paths,
});
const ok = { responses: { '200': { description: 'ok' } } };

/** The tool names a virtual tool list shows (inside `scope`). */
const toolNames = (scope: ReturnType<Page['locator']>) =>
  scope.locator('section[aria-label="Tools"] code').allTextContents();

/** A tiny OAuth provider: /authorize sends the browser straight back with a code; /token trades it. */
function startProvider() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/authorize') {
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', 'code-1');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'at-1', refresh_token: 'rt-1', expires_in: 3600 }));
  });
  return new Promise<{ url: string; close(): void }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}

describe.skipIf(!chromiumAvailable)('the Customers UI', () => {
  it('creates, searches, configures, connects, renames and deletes customers', async () => {
    const dir = tempDir();
    const served = await serve(['--data-dir', dir]);
    const call = registryOf(served);
    await call('import_openapi', {
      slug: 'pets',
      name: 'Pets',
      base_url: 'http://127.0.0.1:9',
      spec: spec(
        'Pets',
        {
          '/pets': { get: { operationId: 'listPets', ...ok } },
          '/pets/{id}': {
            delete: {
              operationId: 'deletePet',
              parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
              ...ok,
            },
          },
        },
        true,
      ),
    });
    await call('import_openapi', {
      slug: 'weather',
      name: 'Weather',
      base_url: 'http://127.0.0.1:9',
      spec: spec('Weather', { '/now': { get: { operationId: 'now', ...ok } } }, false),
    });
    const { page, problems } = await signIn(loginLink(served));

    // An invalid customer: field errors, and nothing is written.
    await page.goto(`${served.url}/#/customers`);
    await page.getByText('No customers yet').waitFor();
    await page.getByRole('button', { name: 'Create customer' }).click();
    const create = page.getByRole('dialog', { name: 'Create a customer' });
    await create.getByLabel('Customer id').fill('bad id!');
    await create.getByRole('button', { name: 'Create customer' }).click();
    await create.getByText(/use letters, digits/).waitFor();
    expect(await create.getByLabel('Customer id').getAttribute('aria-invalid')).toBe('true');
    expect(await create.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    const listed = portico(['--data-dir', dir, 'admin', 'list_customers', '{}']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ customers: [], total: 0 });

    // A valid one: created, and its page says it has no tools.
    await create.getByLabel('Customer id').fill('acme');
    await create.getByLabel('Name').fill('Acme Inc.');
    await create.getByRole('button', { name: 'Create customer' }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme Inc.' }).waitFor();
    expect(page.url()).toMatch(/#\/customers\/acme$/);
    expect(await call('get_customer', { customer_id: 'acme' })).toMatchObject({ name: 'Acme Inc.' });
    await page.getByText(NO_TOOLS, { exact: true }).waitFor();
    await page.getByText(`${served.url}/mcp/gateway?customer_id=acme`, { exact: true }).waitFor();
    await expectAccessible(page, 'a customer without tools');
    await screenshots(page, 'customer-empty');

    // A duplicate id: the server's message, nothing created.
    await page.goto(`${served.url}/#/customers`);
    await page.getByRole('button', { name: 'Create customer' }).click();
    await create.getByLabel('Customer id').fill('acme');
    await create.getByLabel('Name').fill('Another Acme');
    await create.getByRole('button', { name: 'Create customer' }).click();
    await create.getByText('A customer with id "acme" already exists').waitFor();
    expect((await call('get_customer', { customer_id: 'acme' })).name).toBe('Acme Inc.');
    await create.getByLabel('Customer id').fill('globex');
    await create.getByLabel('Name').fill('Globex');
    await create.getByRole('button', { name: 'Create customer' }).click();
    await page.getByRole('heading', { level: 1, name: 'Globex' }).waitFor();

    // Search.
    await page.goto(`${served.url}/#/customers`);
    const list = page.locator('section[aria-label="Customer list"]');
    await page.getByText('2 customers', { exact: true }).waitFor();
    await page.getByLabel('Search customers').fill('GLOB');
    await page.getByText('1 customer matching "GLOB"').waitFor();
    expect(await list.getByRole('link').allTextContents()).toEqual(['Globex']);
    await expectAccessible(page, 'the customer list, searched');
    await screenshots(page, 'customers-list');
    await page.getByLabel('Search customers').fill('nobody');
    await page.getByText(`No customer's id or name contains "nobody".`).waitFor();
    await page.getByLabel('Search customers').fill('');
    await poll(() => list.getByRole('link').allTextContents()).toEqual(['Acme Inc.', 'Globex']);

    // Configure: "Selected only" with Pets, then only one of its actions.
    await list.getByRole('link', { name: 'Acme Inc.' }).click();
    await page.getByRole('button', { name: 'Configure' }).click();
    const editor = page.getByRole('dialog', { name: 'Configure tools — Acme Inc.' });
    await editor.getByLabel('Selected only').check();
    await editor.getByRole('checkbox', { name: /Pets/ }).check();
    await editor.getByText('Unsaved changes').waitFor();
    await editor.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved the tools of “Acme Inc.”.').waitFor();
    await poll(() => toolNames(editor)).toEqual(['pets__delete_pet', 'pets__list_pets']);
    expect(await call('preview_customer_tools', { customer_id: 'acme' })).toMatchObject({
      tools: [{ name: 'pets__delete_pet' }, { name: 'pets__list_pets' }],
    });
    await editor.getByRole('button', { name: '2 actions of Pets' }).click();
    await editor.getByLabel('Only the checked actions').check();
    await editor.getByRole('checkbox', { name: /^list_pets/ }).check();
    await editor.getByRole('radio', { name: /^Search/ }).check();
    await expectAccessible(page, 'the exposure editor');
    await screenshots(page, 'exposure-editor');
    await editor.getByRole('button', { name: 'Save' }).click();
    await poll(() => toolNames(editor)).toEqual(['pets__list_pets']);
    // The preview follows the draft at once; the saved exposure arrives when the save answers.
    await poll(async () => (await call('get_customer', { customer_id: 'acme' })).exposure).toEqual({
      mode: 'selected',
      connector_ids: ['pets'],
      actions: { pets: ['list_pets'] },
      tool_mode: 'search',
      naming: 'prefixed',
    });
    const preview = await call('preview_customer_tools', { customer_id: 'acme' });
    expect(preview.tools.map((t) => t.name)).toEqual(['pets__list_pets']);
    await editor.getByRole('button', { name: 'Done' }).click();
    await poll(() => toolNames(page.locator('main'))).toEqual(['pets__list_pets']);
    await page.getByText('Selected only: Pets — only some actions of Pets (1)').waitFor();
    await page.getByText(/served in search mode/).waitFor();
    expect(await page.getByText(NO_TOOLS).count()).toBe(0);

    // A connection through the api_key form.
    await page.getByRole('button', { name: 'Add connection' }).click();
    const add = page.getByRole('dialog', { name: 'Add a connection' });
    await add.getByLabel('Connector').selectOption({ label: 'Pets (pets)' });
    const keyField = add.getByLabel('API key (sent as header X-API-Key)');
    expect(await keyField.getAttribute('type')).toBe('password');
    await add.getByRole('button', { name: 'Add connection' }).click();
    await add.getByText('API key (sent as header X-API-Key) is required.').waitFor();
    expect((await call('list_connections', { customer_id: 'acme' })).total).toBe(0);
    await keyField.fill(SECRET);
    await expectAccessible(page, 'the connection form');
    await screenshots(page, 'connection-form');
    await add.getByRole('button', { name: 'Add connection' }).click();
    const row = page.getByRole('row', { name: /Pets/ });
    await row.getByText('untested').waitFor();
    const connections = await call('list_connections', { customer_id: 'acme' });
    expect(connections.connections).toMatchObject([{ connector_id: 'pets', status: 'untested' }]);
    expect(JSON.stringify(connections)).not.toContain(SECRET);
    await poll(() => page.getByText('not connected').count()).toBe(0);
    await expectAccessible(page, 'a configured customer');
    await screenshots(page, 'customer-configured');

    // Test it (nothing listens on 127.0.0.1:9): the status and its reason show.
    await row.getByRole('button', { name: 'Test Pets' }).click();
    await row.getByText('error', { exact: true }).waitFor();
    const tested = await call('list_connections', { customer_id: 'acme' });
    expect(tested.connections[0]?.status).toBe('error');
    await row.getByText(tested.connections[0]?.status_reason ?? '-', { exact: true }).waitFor();

    // New credentials: stored (never shown), and the status is back to untested.
    await row.getByRole('button', { name: 'Update credentials for Pets' }).click();
    const update = page.getByRole('dialog', { name: 'Update the credentials for Pets' });
    await update.getByLabel('API key (sent as header X-API-Key)').fill(`${SECRET}-2`);
    await update.getByRole('button', { name: 'Save credentials' }).click();
    await row.getByText('untested').waitFor();
    expect((await call('list_connections', { customer_id: 'acme' })).connections[0]?.status).toBe('untested');

    // Its connect link, copied.
    await row.getByRole('button', { name: 'Copy connect link for Pets' }).click();
    await page.getByText('Copied the connect link for Pets').waitFor();
    const copied = String(await page.evaluate('navigator.clipboard.readText()'));
    expect(copied.startsWith(`${served.url}/`)).toBe(true);
    expect(copied).toContain('connect');

    // Deleted after confirming.
    await row.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the Pets connection?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText('No connections yet').waitFor();
    expect((await call('list_connections', { customer_id: 'acme' })).total).toBe(0);

    // OAuth: "Connect" opens the provider; the callback stores the connection and the page,
    // told by the live updates, closes the dialog and lists it.
    const provider = await startProvider();
    await call('create_connector', {
      slug: 'cal',
      name: 'Calendar',
      kind: 'http',
      base_url: 'http://127.0.0.1:9',
      auth: {
        scheme: 'oauth2',
        grant: 'authorization_code',
        client_id: 'client-1',
        client_secret: 'client-secret-1',
        authorize_url: `${provider.url}/authorize`,
        token_url: `${provider.url}/token`,
      },
    });
    await page.getByRole('button', { name: 'Add connection' }).click();
    await add.getByLabel('Connector').selectOption({ label: 'Calendar (cal)' });
    const popup = page.context().waitForEvent('page');
    await add.getByRole('button', { name: 'Connect Calendar' }).click();
    const providerPage = await popup;
    await providerPage.waitForURL(/\/oauth\/callback/);
    await providerPage.close();
    await page.bringToFront();
    await page.getByText('Connected Calendar.').waitFor();
    await page.getByRole('row', { name: /Calendar/ }).waitFor();
    expect(await add.isVisible()).toBe(false);
    expect((await call('list_connections', { customer_id: 'acme' })).connections).toMatchObject([
      { connector_id: 'cal' },
    ]);
    provider.close();

    // Rename.
    await page.getByRole('button', { name: 'Rename' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename acme' });
    await rename.getByLabel('Name').fill('Acme Corp');
    await rename.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme Corp' }).waitFor();
    expect((await call('get_customer', { customer_id: 'acme' })).name).toBe('Acme Corp');

    // Delete a customer that still has a connection: refused with the reason, then forced.
    const weather = await call('create_connection', { customer_id: 'globex', connector_id: 'weather' });
    await page.goto(`${served.url}/#/customers/globex`);
    await page.getByRole('heading', { level: 1, name: 'Globex' }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).first().click();
    const remove = page.getByRole('dialog', { name: 'Delete Globex?' });
    await remove.getByRole('button', { name: 'Delete customer' }).click();
    await remove.getByText(`still referenced by connection ${weather.id}`).waitFor();
    expect((await call('list_customers', {})).total).toBe(2);
    await remove.getByRole('button', { name: 'Delete it and everything listed' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    const left = await call('list_customers', {});
    expect(left.customers.map((c) => c.id)).toEqual(['acme']);
    expect((await call('list_connections', { customer_id: 'globex' })).total).toBe(0);

    // An unknown id.
    await page.goto(`${served.url}/#/customers/nobody`);
    await page.getByRole('heading', { level: 1, name: 'Customer not found' }).waitFor();
    await expectAccessible(page, 'an unknown customer');
    await screenshots(page, 'customer-not-found');

    // The refusals above (duplicate id, delete refused, unknown id) are the only console errors.
    expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
    expect(await served.stop()).toBe(0);
  }, 50_000);

  it('lists 10,000 customers: virtualized, page after page as the list scrolls', async () => {
    const dir = tempDir();
    // Written as the legacy workspace file that a first start imports: 10,000 create_customer
    // calls take minutes here (each rewrites the customers map), far over a test's budget.
    const at = new Date().toISOString();
    const customers: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) {
      const id = `bulk-${String(i).padStart(5, '0')}`;
      customers[id] = {
        id,
        name: `Bulk ${i}`,
        exposure: { mode: 'all', connectorIds: [], actions: {}, toolMode: 'auto' },
        metadata: {},
        createdAt: at,
        updatedAt: at,
      };
    }
    writeFileSync(`${dir}/workspace.json`, JSON.stringify({ customers }));
    const served = await serve(['--data-dir', dir]);
    const call = registryOf(served);
    // And a few through the registry, in parallel, as a script would.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => call('create_customer', { id: `zz-${i}`, name: `Zed ${i}` })),
    );
    expect((await call('list_customers', { limit: 1 })).total).toBe(10_020);
    const { page, problems } = await signIn(loginLink(served));
    await page.goto(`${served.url}/#/customers`);
    await page.getByText('10,020 customers', { exact: true }).waitFor();
    const list = page.locator('section[aria-label="Customer list"]');
    await list.getByRole('link', { name: 'Bulk 0', exact: true }).waitFor();
    const rows = list.locator('li');
    const setSize = async () => Number(await rows.first().getAttribute('aria-setsize'));
    expect(await setSize()).toBe(500);
    await expectAccessible(page, 'a list of 10,000 customers');
    await screenshots(page, 'customers-10000');

    // Scroll to the end, again and again: each time the next page comes; the DOM stays small.
    const started = Date.now();
    let loaded = await setSize();
    while (loaded < 10_020) {
      await list.evaluate((el: { scrollTop: number; scrollHeight: number }) => {
        el.scrollTop = el.scrollHeight;
      });
      const before = loaded;
      await poll(setSize).toBeGreaterThan(before);
      loaded = await setSize();
      expect(await rows.count()).toBeLessThan(60);
    }
    await list.evaluate((el: { scrollTop: number; scrollHeight: number }) => {
      el.scrollTop = el.scrollHeight;
    });
    await list.getByRole('link', { name: 'Zed 9', exact: true }).waitFor();
    expect(loaded).toBe(10_020);
    console.log(`scrolled through 10,020 customers (21 pages) in ${Date.now() - started} ms`);
    await list.getByRole('link', { name: 'Zed 9', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Zed 9' }).waitFor();
    expect(problems).toEqual([]);
    expect(await served.stop()).toBe(0);
  }, 50_000);
});
