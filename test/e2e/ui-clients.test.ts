// The clients page in real Chromium against a real `portico serve` whose every client config path
// points into a temp dir (nothing touches the real home): add Portico to Cursor for the admin plane
// and a customer, see the file and the page agree, a config that does not parse is reported with
// its line and column and left byte for byte, install links carry no key unless one is minted,
// remove.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, expectAccessible, loginLink, screenshots, signIn } from '../helpers/browser';
import { portico, serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

if (!chromiumAvailable) console.log('clients UI e2e skipped: no Chromium');

const VARIABLES = {
  'claude-desktop': 'PORTICO_CLAUDE_DESKTOP_CONFIG',
  'claude-code': 'PORTICO_CLAUDE_CODE_CONFIG',
  cursor: 'PORTICO_CURSOR_CONFIG',
  vscode: 'PORTICO_VSCODE_CONFIG',
  windsurf: 'PORTICO_WINDSURF_CONFIG',
  'gemini-cli': 'PORTICO_GEMINI_CLI_CONFIG',
  cline: 'PORTICO_CLINE_CONFIG',
  codex: 'PORTICO_CODEX_CONFIG',
} as const;

type McpFile = { mcpServers: Record<string, { url: string; headers: Record<string, string> }> };

const card = (page: Page, name: string): Locator =>
  page.locator('section.card').filter({ has: page.getByRole('heading', { name, exact: true, level: 2 }) });

describe.skipIf(!chromiumAvailable)('the clients page', () => {
  it('adds to Cursor for the admin plane and a customer, reports an unparsable file, links, removes', async () => {
    const home = tempDir();
    const dir = join(home, 'data');
    const paths = Object.fromEntries(
      Object.entries(VARIABLES).map(([client, variable]) => [
        variable,
        join(home, 'clients', client, 'config'),
      ]),
    );
    const cursorPath = join(home, 'clients', 'cursor', 'mcp.json');
    const vscodePath = join(home, 'clients', 'vscode', 'mcp.json');
    paths.PORTICO_CURSOR_CONFIG = cursorPath;
    paths.PORTICO_VSCODE_CONFIG = vscodePath;
    // Cursor and VS Code look installed (their folders exist); the rest do not.
    mkdirSync(join(home, 'clients', 'cursor'), { recursive: true });
    mkdirSync(join(home, 'clients', 'vscode'), { recursive: true });
    const env = {
      ...paths,
      HOME: home,
      USERPROFILE: home,
      APPDATA: join(home, 'AppData', 'Roaming'),
      LOCALAPPDATA: join(home, 'AppData', 'Local'),
      XDG_CONFIG_HOME: join(home, '.config'),
      CLAUDE_CONFIG_DIR: join(home, '.claude'),
    };
    const served = await serve(['--data-dir', dir], env);
    const admin = <T>(tool: string, input: unknown = {}): T => {
      const run = portico(['--data-dir', dir, 'admin', tool, JSON.stringify(input)], { env });
      if (run.code !== 0) throw new Error(`${tool}: ${run.stderr}`);
      return JSON.parse(run.stdout) as T;
    };
    const { page, problems } = await signIn(loginLink(served));
    page.setDefaultTimeout(10_000);
    await page.goto(`${served.url}/#/clients`);
    await page.getByRole('heading', { name: 'Clients', level: 1 }).waitFor();
    const cursor = card(page, 'Cursor');
    const vscode = card(page, 'VS Code');
    await cursor.locator('dl').first().getByText(cursorPath, { exact: true }).waitFor();
    await cursor.getByText('detected', { exact: true }).waitFor();
    await card(page, 'Windsurf').getByText('not detected').waitFor();
    for (const name of ['Claude Desktop', 'Claude Code', 'Gemini CLI', 'Cline'])
      await card(page, name).waitFor();
    await expectAccessible(page, 'clients');
    await screenshots(page, 'clients');

    // The preview shows what Add would write, key masked, and writes nothing.
    const windsurf = card(page, 'Windsurf');
    await windsurf.getByText('Preview portico-admin').click();
    await windsurf.getByText(/Add would create the file/).waitFor();
    const preview = (await windsurf.locator('pre').textContent()) ?? '';
    expect(preview).toContain('"portico-admin"');
    expect(preview).not.toMatch(/ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}/);
    expect(existsSync(paths.PORTICO_WINDSURF_CONFIG ?? '')).toBe(false);
    // Codex's config is TOML: its preview is the table Add would write.
    const codex = card(page, 'Codex');
    await codex.getByText('Preview portico-admin').click();
    await codex.getByText(/Add would create the file/).waitFor();
    const table = (await codex.locator('pre').textContent()) ?? '';
    expect(table).toMatch(/^\[mcp_servers\.portico-admin\]$/m);
    expect(table).toMatch(/^url = "http:\/\/127\.0\.0\.1:\d+\/mcp\/admin"$/m);
    expect(table).not.toMatch(/ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}/);
    expect(existsSync(paths.PORTICO_CODEX_CONFIG ?? '')).toBe(false);
    await expectAccessible(page, 'clients with a preview open');

    // Install links: no key in them.
    const link = cursor.getByRole('link', { name: 'Install in Cursor', exact: true });
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(/^cursor:\/\/anysphere\.cursor-deeplink\/mcp\/install\?/);
    const linkQuery = new URL(href).searchParams;
    expect(linkQuery.get('name')).toBe('portico-admin');
    const linkConfig = JSON.parse(Buffer.from(linkQuery.get('config') ?? '', 'base64').toString('utf8'));
    expect(linkConfig.url).toBe(`${served.url}/mcp/admin`);
    expect(href).not.toMatch(/ptc_/);
    await cursor.getByText(/This link holds no key/).waitFor();
    const vscodeHref =
      (await vscode.getByRole('link', { name: 'Install in VS Code', exact: true }).getAttribute('href')) ??
      '';
    expect(vscodeHref).toMatch(/^vscode:mcp\/install\?/);
    const vscodeConfig = JSON.parse(decodeURIComponent(vscodeHref.slice('vscode:mcp/install?'.length)));
    expect(vscodeConfig).toMatchObject({ name: 'portico-admin', url: `${served.url}/mcp/admin` });
    expect(vscodeHref).not.toMatch(/ptc_/);

    // Add to Cursor, admin plane: the file holds the entry, the page shows it current.
    await cursor.getByRole('button', { name: 'Add to Cursor' }).click();
    await cursor
      .getByRole('status')
      .filter({ hasText: /Cursor: created the file with portico-admin/ })
      .waitFor();
    await cursor.getByRole('status').getByText(cursorPath).waitFor();
    const written = JSON.parse(readFileSync(cursorPath, 'utf8')) as McpFile;
    const adminEntry = written.mcpServers['portico-admin'];
    expect(adminEntry?.url).toBe(`${served.url}/mcp/admin`);
    const adminKey = /ptc_([A-Za-z0-9]{8})_/.exec(adminEntry?.headers.Authorization ?? '')?.[1];
    expect(adminKey).toBeTruthy();
    const entries = cursor.getByRole('table', { name: 'Portico entries in Cursor' });
    const adminRow = entries.getByRole('row').filter({ hasText: 'portico-admin' });
    await adminRow.getByText('current').waitFor();
    await expectAccessible(page, 'clients after add');
    await screenshots(page, 'clients-added');

    // Adding again is idempotent: current, left as it is.
    await cursor.getByRole('button', { name: 'Add to Cursor' }).click();
    await cursor
      .getByRole('status')
      .filter({ hasText: /left the current entry as it was/ })
      .waitFor();

    // A link with a key only on request.
    await cursor.getByRole('button', { name: 'Make a link with a new key' }).click();
    const keyed = cursor.getByRole('link', { name: 'Install in Cursor with the new key' });
    await keyed.waitFor();
    const keyedConfig = JSON.parse(
      Buffer.from(
        new URL((await keyed.getAttribute('href')) ?? '').searchParams.get('config') ?? '',
        'base64',
      ).toString('utf8'),
    );
    const mintedId = /ptc_([A-Za-z0-9]{8})_/.exec(JSON.stringify(keyedConfig))?.[1];
    expect(mintedId).toBeTruthy();
    await cursor.getByText(mintedId ?? '-').waitFor();
    const keys = admin<{ keys: { id: string; revoked_at: string | null }[] }>('list_api_keys', {
      include_revoked: true,
    }).keys;
    expect(keys.some((k) => k.id === mintedId && !k.revoked_at)).toBe(true);

    // A VS Code config that does not parse: the error names line and column, the file is untouched.
    expect(problems).toEqual([]);
    const broken = '{\n  "servers": {\n    "mine": { "url": "http://x" },,\n  }\n}\n';
    writeFileSync(vscodePath, broken);
    await page.getByRole('button', { name: 'Re-read config files' }).click();
    await vscode
      .getByRole('alert')
      .filter({ hasText: /line 3, column \d+/ })
      .waitFor();
    await vscode.getByRole('button', { name: 'Add to VS Code' }).click();
    await vscode
      .getByRole('alert')
      .filter({ hasText: /Could not add portico-admin:.*line 3, column \d+/ })
      .waitFor();
    expect(readFileSync(vscodePath, 'utf8')).toBe(broken);
    expect(readdirSync(join(home, 'clients', 'vscode'))).toEqual(['mcp.json']);
    await expectAccessible(page, 'clients with an unparsable file');
    await screenshots(page, 'clients-parse-error');

    // A customer's gateway entry.
    admin('create_customer', { id: 'acme', name: 'Acme' });
    await page.getByLabel('Customer', { exact: true }).selectOption('acme');
    await cursor.getByRole('button', { name: 'Add to Cursor' }).click();
    await cursor
      .getByRole('status')
      .filter({ hasText: /Cursor: added portico-acme/ })
      .waitFor();
    const withCustomer = JSON.parse(readFileSync(cursorPath, 'utf8')) as McpFile;
    expect(withCustomer.mcpServers['portico-acme']?.url).toBe(`${served.url}/mcp/gateway?customer_id=acme`);
    expect(withCustomer.mcpServers['portico-admin']).toEqual(adminEntry);
    await entries.getByRole('row').filter({ hasText: 'portico-acme' }).getByText('current').waitFor();
    await entries.getByRole('row').filter({ hasText: 'customer acme' }).waitFor();

    // Remove the admin entry: only ours goes, the file is backed up, its key revoked.
    await adminRow.getByRole('button', { name: 'Remove' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove portico-admin from Cursor?' });
    await expectAccessible(page, 'remove confirmation');
    await confirm.getByRole('button', { name: 'Remove' }).click();
    const removed = cursor.getByRole('status').filter({ hasText: /Cursor: removed portico-admin/ });
    await removed.waitFor();
    await adminRow.waitFor({ state: 'detached' });
    const after = JSON.parse(readFileSync(cursorPath, 'utf8')) as McpFile;
    expect(Object.keys(after.mcpServers)).toEqual(['portico-acme']);
    const backup = await removed
      .locator('dt', { hasText: 'Backup' })
      .locator('xpath=following-sibling::dd[1]')
      .textContent();
    expect(backup).toMatch(/mcp\.json/);
    expect(existsSync(backup ?? '')).toBe(true);
    const revoked = admin<{ keys: { id: string; revoked_at: string | null }[] }>('list_api_keys', {
      include_revoked: true,
    }).keys.find((k) => k.id === adminKey);
    expect(revoked?.revoked_at).toBeTruthy();
    await screenshots(page, 'clients-removed');

    // From the unparsable file on, the refused calls (add, and the VS Code link's entry) are logged
    // by Chromium as 400 responses; nothing else may be.
    expect(problems.filter((p) => !/status of 400 \(Bad Request\)/.test(p))).toEqual([]);
    expect(await served.stop()).toBe(0);
  }, 55_000);
});
