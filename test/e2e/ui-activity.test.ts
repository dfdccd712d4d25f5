// The activity page in real Chromium against a real `portico serve`: calls made over /mcp/admin
// by an MCP SDK client while the page is open show up without a reload; filtering, a failing
// call's details, and CSV / JSON Lines exports of the current filter.
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectAccessible,
  firstAdminKey,
  loginLink,
  screenshots,
  signIn,
} from '../helpers/browser';
import { serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

if (!chromiumAvailable) console.log('activity UI e2e skipped: no Chromium');

interface Entry {
  id: string;
  time: string;
  plane: string;
  entry_point: string;
  tool: string;
  outcome: string;
  error?: string;
  customer_id: string | null;
}

async function downloaded(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [file] = (await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ])) as [Download, unknown];
  const path = await file.path();
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

/** RFC 4180 rows (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  return rows;
}

describe.skipIf(!chromiumAvailable)('the activity page', () => {
  it('shows calls live, filters, opens a failing call, exports CSV and JSON Lines', async () => {
    const served = await serve(['--data-dir', tempDir()]);
    const { page, problems } = await signIn(loginLink(served));
    page.setDefaultTimeout(10_000);
    await page.goto(`${served.url}/#/activity`);
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    await page
      .getByRole('table', { name: 'Activity' })
      .or(page.getByText(/No calls match/))
      .waitFor();
    await expectAccessible(page, 'activity');
    // A marker that a reload would wipe: the rows below must arrive without one.
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    const client = new Client({ name: 'activity-e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${served.url}/mcp/admin`), {
        requestInit: { headers: { authorization: `Bearer ${firstAdminKey(served)}` } },
      }),
    );
    const ok = await client.callTool({ name: 'get_gateway_status', arguments: {} });
    expect(ok.isError).toBeFalsy();
    const failed = await client.callTool({
      name: 'get_customer',
      arguments: { customer_id: 'no-such-customer' },
    });
    expect(failed.isError).toBe(true);

    const table = page.getByRole('table', { name: 'Activity' });
    const failedRow = table.getByRole('row').filter({ hasText: 'get_customer' }).filter({ hasText: 'mcp' });
    const okRow = table.getByRole('row').filter({ hasText: 'get_gateway_status' }).filter({ hasText: 'mcp' });
    await failedRow.waitFor();
    await okRow.waitFor();
    expect(await failedRow.getByText('error', { exact: true }).count()).toBe(1);
    expect(await okRow.getByText('ok', { exact: true }).count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await screenshots(page, 'activity-live');

    // Only failures.
    await page.getByLabel('Outcome').selectOption('error');
    await expect.poll(() => page.url()).toMatch(/#\/activity\?outcome=error$/);
    await okRow.waitFor({ state: 'detached' });
    await failedRow.waitFor();
    const outcomes = await table.locator('tbody tr td:nth-child(8)').allTextContents();
    expect(outcomes.length).toBeGreaterThan(0);
    expect(new Set(outcomes)).toEqual(new Set(['error']));
    await expectAccessible(page, 'activity filtered by outcome');
    await screenshots(page, 'activity-failures');

    // The search box narrows the loaded rows.
    await page.getByLabel('Search').fill('no-such-customer');
    await failedRow.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Search').fill('');

    // A failing call's details carry its error.
    await failedRow.getByRole('button', { name: /Details of get_customer/ }).click();
    const detail = page.getByRole('dialog', { name: 'Call details' });
    await detail.getByRole('heading', { name: 'Error' }).waitFor();
    await detail.getByText(/No customer with id "no-such-customer"/).waitFor();
    expect(await detail.textContent()).toMatch(/Entry point\s*mcp/);
    await expectAccessible(page, 'call details');
    await screenshots(page, 'activity-detail');
    await detail.getByRole('button', { name: 'Close' }).click();

    // Exports of the current filter (outcome = error).
    const csv = await downloaded(page, 'Export CSV');
    expect(csv.name).toMatch(/^portico-activity-.*\.csv$/);
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual([
      'time',
      'plane',
      'entry_point',
      'key_id',
      'customer_id',
      'tool',
      'duration_ms',
      'outcome',
      'error',
      'detail',
      'id',
    ]);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r[7]))).toEqual(new Set(['error']));
    const csvFailed = rows.find((r) => r[5] === 'get_customer' && r[2] === 'mcp');
    expect(csvFailed?.[8]).toMatch(/no-such-customer/);
    expect(csvFailed?.[1]).toBe('admin');

    const jsonl = await downloaded(page, 'Export JSON Lines');
    expect(jsonl.name).toMatch(/^portico-activity-.*\.jsonl$/);
    const entries = jsonl.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Entry);
    expect(entries.map((e) => e.id)).toEqual(rows.map((r) => r[10]));
    expect(entries.every((e) => e.outcome === 'error')).toBe(true);
    expect(entries.find((e) => e.tool === 'get_customer' && e.entry_point === 'mcp')?.error).toMatch(
      /no-such-customer/,
    );

    // Another filter from the bar: the tool, applied with the button.
    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Tool (exact name)').fill('get_gateway_status');
    await page.getByRole('button', { name: 'Apply' }).click();
    await okRow.waitFor();
    await failedRow.waitFor({ state: 'detached' });
    const tools = await table.locator('tbody tr td:nth-child(6)').allTextContents();
    expect(new Set(tools)).toEqual(new Set(['get_gateway_status']));

    await client.close();
    // Downloads of object URLs pass the page's CSP: nothing was refused.
    expect(problems).toEqual([]);
    expect(await served.stop()).toBe(0);
  }, 50_000);
});
