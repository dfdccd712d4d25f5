// The Connectors area in real Chromium against a real `portico serve`: the catalog in one click,
// OpenAPI imports (pasted, an invalid one, GitHub's 1,223-operation description through the file
// input with progress and a virtualized list), an action switched off, the auth config form, and
// "Try it" — a dry run showing the request with the secret masked, then a real call to an upstream
// on 127.0.0.1. What the page shows is checked against what the registry then holds.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, expectAccessible, loginLink, screenshots, signIn } from '../helpers/browser';
import { portico, type Served, serve } from '../helpers/cli';
import { everythingServerCommand } from '../helpers/everything';
import { tempDir } from '../helpers/temp';

/** The page's globals these tests touch, typed just enough (no DOM types in a Node test file). */
interface PageElement {
  getAttribute(name: string): string | null;
}
interface PageGlobals {
  document: {
    body: unknown;
    querySelector(s: string): PageElement | null;
    querySelectorAll(s: string): PageElement[];
  };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
  maxProgress: number;
  maxTotal: number;
}
const GITHUB = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
const PETSTORE = readFileSync('/work/shared/fixtures/openapi/petstore-expanded.openapi3.yaml', 'utf8');
const BROKEN = `openapi: 3.0.0
info: {title: Broken, version: "1"}
paths:
  /things:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Missing"
`;
const SECRET = 'sk_live_4f9a1c7e2b8d6f3a';
/** Waits for what the page shows (vitest's poll; its default 1 s is short for a shared machine). */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });

if (!chromiumAvailable) console.log('connectors UI e2e skipped: no Chromium');

/** The upstream the petstore connector points at: records what it receives. */
function startUpstream() {
  const received: { method?: string; url?: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    received.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify([{ id: 7, name: 'Rex', tag: 'dog' }]));
  });
  return new Promise<{ url: string; received: typeof received; close(): void }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, received, close: () => server.close() });
    }),
  );
}

describe.skipIf(!chromiumAvailable)('the Connectors UI', () => {
  let dir: string;
  let served: Served;
  let page: Page;
  let problems: string[];
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const admin = (tool: string, input: unknown) =>
    portico(['--data-dir', dir, 'admin', tool, JSON.stringify(input)]);
  const adminJson = (tool: string, input: unknown) => {
    const result = admin(tool, input);
    expect(result.code, `${tool} failed: ${result.stderr}`).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };
  const connectorIds = () =>
    (adminJson('list_connectors', { limit: 500 }).connectors as { id: string }[]).map((c) => c.id);
  /** Console errors other than the given number of refused calls (HTTP 400 from /api/tools). */
  const expectOnlyRefusals = (count: number) => {
    expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
    expect(problems.length).toBe(count);
    problems.length = 0;
  };

  beforeAll(async () => {
    // Default settings: GitHub's 13 MB description goes through /api although the body limit is
    // 4 MiB — import_openapi takes documents as large as Portico fetches by URL.
    dir = tempDir();
    [served, upstream] = await Promise.all([serve(['--data-dir', dir]), startUpstream()]);
    ({ page, problems } = await signIn(loginLink(served)));
  });

  afterAll(async () => {
    upstream?.close();
    if (served) expect(await served.stop()).toBe(0);
  });

  it('lists the catalog and adds an entry in one click', async () => {
    await page.getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connectors' }).waitFor();
    await page.getByText('No connectors yet.').waitFor();
    await page.getByRole('button', { name: /^Add httpbin/ }).waitFor();
    await expectAccessible(page, 'connectors page');
    await screenshots(page, 'connectors');

    await page.getByRole('button', { name: /^Add httpbin/ }).click();
    // Marked as added, and listed with a link to its page.
    await page.getByRole('link', { name: /^Open httpbin/ }).waitFor();
    const row = page.getByRole('row', { name: /httpbin/ });
    await poll(() => row.getByRole('link').getAttribute('href')).toBe('#/connectors/httpbin');
    expect(await page.getByRole('button', { name: /^Add httpbin/ }).count()).toBe(0);
    const added = (adminJson('list_connectors', {}).connectors as { id: string; catalog_id: string }[])[0];
    expect(added).toMatchObject({ id: 'httpbin', catalog_id: 'httpbin' });
    expect(problems).toEqual([]);
  });

  it('imports a pasted OpenAPI document and opens the new connector', async () => {
    await page.getByRole('button', { name: 'Import OpenAPI' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import an OpenAPI document' });
    await dialog.getByLabel('Slug').fill('petstore');
    await dialog.getByLabel('OpenAPI document (JSON or YAML)').fill(PETSTORE);
    await dialog.getByLabel('Base URL (optional)').fill(upstream.url);
    await expectAccessible(page, 'import dialog');
    await screenshots(page, 'connectors-import');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await page.waitForURL(/#\/connectors\/petstore$/);
    await page.getByRole('heading', { level: 1, name: 'Swagger Petstore' }).waitFor();
    await page.getByRole('region', { name: 'Actions', exact: true }).getByText('find_pets').waitFor();
    await page.getByRole('heading', { name: 'Actions (4)' }).waitFor();
    const connector = adminJson('get_connector', { connector_id: 'petstore' });
    expect(connector).toMatchObject({ base_url: upstream.url, action_count: 4 });
    await expectAccessible(page, 'connector page');
    await screenshots(page, 'connector');
    expect(problems).toEqual([]);
  });

  it("shows an invalid document's error beside the document and writes nothing", async () => {
    await page.getByRole('link', { name: 'All connectors' }).click();
    await page.getByRole('button', { name: 'Import OpenAPI' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import an OpenAPI document' });
    await dialog.getByLabel('Slug').fill('broken');
    const documentField = dialog.getByLabel('OpenAPI document (JSON or YAML)');
    await documentField.fill(BROKEN);
    await dialog.getByRole('button', { name: 'Import' }).click();
    await poll(() => documentField.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await documentField.getAttribute('aria-describedby');
    const error = page.locator(`[id="${describedBy}"]`);
    await poll(() => error.textContent()).toContain('Unresolvable $ref "#/components/schemas/Missing"');
    await poll(() => error.textContent()).toContain('/paths/~1things/get/responses/200');
    expect(await dialog.getByLabel('Slug').getAttribute('aria-invalid')).toBe('false');
    await expectAccessible(page, 'import dialog with an error');
    await screenshots(page, 'connectors-import-error');
    expect(connectorIds()).toEqual(['httpbin', 'petstore']);
    expectOnlyRefusals(1);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it("imports GitHub's 1,223-operation description from a file with progress, into a virtualized list", async () => {
    await page.getByRole('button', { name: 'Import OpenAPI' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import an OpenAPI document' });
    await dialog.getByLabel('Slug').fill('github');
    await dialog.getByRole('radio', { name: 'A file' }).check();
    await dialog.getByLabel('OpenAPI file').setInputFiles(GITHUB);
    await dialog.getByLabel('Base URL (optional)').fill('http://127.0.0.1:9');
    // The highest determinate progress the page ever shows (it may come and go between checks).
    // (Page-side functions reach the DOM through globalThis, typed just enough: this file is typed
    // for Node. Not strings: a string predicate is compiled in the page, which its CSP forbids.)
    await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      w.maxProgress = 0;
      w.maxTotal = 0;
      new w.MutationObserver(() => {
        for (const bar of w.document.querySelectorAll('progress[value]')) {
          w.maxProgress = Math.max(w.maxProgress, Number(bar.getAttribute('value')));
          w.maxTotal = Math.max(w.maxTotal, Number(bar.getAttribute('max')));
        }
      }).observe(w.document.body, { subtree: true, childList: true, attributes: true });
    });
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByRole('progressbar', { name: 'Import progress' }).waitFor();
    await page.waitForURL(/#\/connectors\/github$/, { timeout: 40_000 });
    const { maxProgress, maxTotal } = await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      return { maxProgress: w.maxProgress, maxTotal: w.maxTotal };
    });
    const listed = adminJson('list_connectors', { limit: 500 }).connectors as {
      id: string;
      action_count: number;
    }[];
    const count = listed.find((c) => c.id === 'github')?.action_count ?? 0;
    expect(count).toBeGreaterThan(1200);
    expect(maxTotal).toBe(count);
    expect(maxProgress).toBeGreaterThan(0);

    await page.getByRole('heading', { name: `Actions (${count.toLocaleString('en')})` }).waitFor();
    const list = page.getByRole('region', { name: 'Actions', exact: true });
    const rows = list.getByRole('listitem');
    await rows.first().waitFor();
    // Scrolled to the end, page by page through the cursor; only the visible rows are in the DOM.
    for (let loaded = 0; loaded < count; ) {
      await list.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      const before = loaded;
      await page
        .waitForFunction(
          (n) =>
            Number(
              (globalThis as unknown as PageGlobals).document
                .querySelector('.virtual-row')
                ?.getAttribute('aria-setsize'),
            ) > n,
          before,
        )
        .catch(() => undefined);
      loaded = Number(await rows.first().getAttribute('aria-setsize'));
      if (loaded === before) break;
    }
    await list.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await list.locator(`[aria-posinset="${count}"]`).waitFor();
    expect(await rows.count()).toBeLessThan(40);
    expect(problems).toEqual([]);
  }, 50_000);

  it('disables an action with its switch', async () => {
    await page.goto(`${served.url}/#/connectors/petstore`);
    const toggle = page.getByRole('switch', { name: 'delete_pet enabled' });
    await poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    await toggle.click();
    await page.getByText('delete_pet disabled.').waitFor();
    await poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    expect(adminJson('get_action', { connector_id: 'petstore', action: 'delete_pet' })).toMatchObject({
      enabled: false,
    });
    expect(adminJson('get_action', { connector_id: 'petstore', action: 'find_pets' })).toMatchObject({
      enabled: true,
    });
    expect(problems).toEqual([]);
  });

  it('sets an api_key auth config through the form, refusing an invalid one with a field error', async () => {
    const form = page.getByRole('form', { name: 'Auth config' });
    await form.getByLabel('Scheme').selectOption('api_key');
    const name = form.getByLabel('Header or parameter name');
    await name.fill('X Api Key');
    await form.getByRole('button', { name: 'Save auth config' }).click();
    await poll(() => name.getAttribute('aria-invalid')).toBe('true');
    await form.getByText('A header name has no spaces or separators').waitFor();
    await expectAccessible(page, 'auth form with an error');
    await screenshots(page, 'connector-auth-error');
    // Nothing was written.
    expect(admin('get_auth_config', { connector_id: 'petstore' }).stderr).toContain('has no auth config');

    await name.fill('X-Api-Key');
    await form.getByRole('button', { name: 'Save auth config' }).click();
    await page.getByText("Saved Swagger Petstore's auth config (api_key).").waitFor();
    expect(adminJson('get_auth_config', { connector_id: 'petstore' })).toMatchObject({
      scheme: 'api_key',
      in: 'header',
      name: 'X-Api-Key',
    });
    await poll(() => name.inputValue()).toBe('X-Api-Key');
    await screenshots(page, 'connector-auth');
    expect(problems).toEqual([]);
  });

  it('tries an action as a customer: a dry run shows the request with the secret masked, a run reaches the upstream', async () => {
    adminJson('create_customer', { id: 'acme', name: 'Acme Corp' });
    adminJson('create_connection', {
      customer_id: 'acme',
      connector_id: 'petstore',
      credentials: { api_key: SECRET },
    });
    await page.getByRole('button', { name: 'Try it: find_pets' }).click();
    const dialog = page.getByRole('dialog', { name: 'Try find_pets' });
    await poll(() => dialog.getByLabel('Run as customer').inputValue()).toBe('acme');
    await poll(() => dialog.getByLabel('Arguments (JSON)').inputValue()).toBe('{}');
    await dialog.getByLabel('Arguments (JSON)').fill('{"limit": 5}');

    await dialog.getByRole('button', { name: 'Dry run' }).click();
    await dialog.getByRole('heading', { name: 'Request that would be sent' }).waitFor();
    await poll(() => dialog.locator('.request-line').textContent()).toBe(`GET ${upstream.url}/pets?limit=5`);
    const header = dialog.getByRole('row', { name: /X-Api-Key/i });
    await header.waitFor();
    const masked = await header.getByRole('cell').nth(1).textContent();
    expect(masked).toBeTruthy();
    expect(masked).not.toContain(SECRET);
    expect(await page.content()).not.toContain(SECRET);
    expect(upstream.received).toEqual([]);
    await expectAccessible(page, 'try it, dry run');
    await screenshots(page, 'connector-try-it');

    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await dialog.getByRole('heading', { name: 'Result' }).waitFor();
    await poll(() => dialog.locator('pre.ok-result').textContent()).toContain('Rex');
    expect(upstream.received).toHaveLength(1);
    expect(upstream.received[0]).toMatchObject({ method: 'GET', url: '/pets?limit=5' });
    expect(upstream.received[0]?.headers['x-api-key']).toBe(SECRET);
    expect(await page.content()).not.toContain(SECRET);
    await screenshots(page, 'connector-try-it-result');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(problems).toEqual([]);
  });

  it('refuses to delete a connector in use, naming what uses it; deletes an unused one', async () => {
    await page.getByRole('heading', { level: 1, name: 'Swagger Petstore' }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Delete Swagger Petstore?' })
      .getByRole('button', { name: 'Delete connector' })
      .click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Not deleted' });
    await poll(() => refusal.textContent()).toContain('is still used by connection');
    expect(connectorIds()).toContain('petstore');
    expectOnlyRefusals(1);

    await page.goto(`${served.url}/#/connectors/httpbin`);
    await page.getByRole('heading', { level: 1, name: /^httpbin/ }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete connector' }).click();
    await page.waitForURL(/#\/connectors$/);
    await page.getByText('Deleted connector "httpbin"').waitFor();
    expect(connectorIds()).toEqual(['github', 'petstore']);
    expect(problems).toEqual([]);
  });

  it('adds an MCP server over stdio, lists its tools as actions and refreshes them', async () => {
    const { command, args } = everythingServerCommand();
    await page.getByRole('button', { name: 'Add MCP server' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an MCP server' });
    await dialog.getByLabel('Slug').fill('everything');
    await dialog.getByLabel('Name', { exact: true }).fill('Everything');
    await dialog.getByRole('textbox', { name: 'Command' }).fill(command);
    await dialog.getByLabel('Arguments (optional)').fill(args.join('\n'));
    await dialog.getByLabel('Environment (optional)').fill('not a pair');
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await dialog.getByText('Line 1 is not NAME=value.').waitFor();
    expect(connectorIds()).not.toContain('everything');
    await dialog.getByLabel('Environment (optional)').fill('LOG_LEVEL=quiet');
    await expectAccessible(page, 'MCP server dialog');
    await screenshots(page, 'connectors-add-mcp');
    await dialog.getByRole('button', { name: 'Add server' }).click();
    const added = page.getByRole('dialog', { name: 'Added Everything' });
    await added.getByRole('button', { name: 'Open connector' }).click({ timeout: 20_000 });
    await page.waitForURL(/#\/connectors\/everything$/);
    const connector = adminJson('get_connector', { connector_id: 'everything' });
    expect(connector).toMatchObject({
      kind: 'mcp',
      transport: 'stdio',
      command,
      args,
      env: { LOG_LEVEL: expect.any(String) },
    });
    expect(JSON.stringify(connector)).not.toContain('quiet');
    const count = Number(connector.action_count);
    expect(count).toBeGreaterThan(3);
    await page.getByRole('heading', { name: `Actions (${count})` }).waitFor();
    await page
      .getByRole('region', { name: 'Actions', exact: true })
      .getByText('echo', { exact: true })
      .waitFor();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText(`Refreshed: ${count} actions. Nothing changed.`).waitFor({ timeout: 20_000 });
    expect(problems).toEqual([]);
  }, 40_000);
});
