// The web UI in Debian's Chromium: the JS a first load transfers (gzipped), time to interactive
// (signed in, the overview's data shown) next to a bare page served by plain node, and the customer
// list with 10,000 customers — time to first rows, and long tasks (> 50 ms) while scrolling to the end.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { WorkspaceStore } from '../../src/main/core/store/workspace-store';
import { ROOT, startChild } from '../lib/procs';
import type { Row } from '../lib/report';
import { writeCustomers } from '../lib/scale-workspace';
import { now, round, summarize } from '../lib/stats';

const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';

const customerId = (k: number) => `cust-${String(k).padStart(5, '0')}`;

/** 10,000 customers written straight into the data dir before the server starts (through /api it takes minutes). */
async function seedCustomers(dataDir: string, count: number): Promise<void> {
  const store = await WorkspaceStore.open({ dataDir });
  try {
    await writeCustomers(store, count, customerId);
  } finally {
    await store.close();
  }
}

/** A page that renders one element from a script: what any page load costs in this browser. */
function bareServer(): Promise<{ url: string; close(): void }> {
  const html = '<!doctype html><title>bare</title><div id="root"></div><script src="/app.js"></script>';
  const js = "document.getElementById('root').innerHTML = '<h1>Overview</h1>';";
  const server = createServer((req, res) => {
    const isJs = req.url === '/app.js';
    res.writeHead(200, { 'content-type': isJs ? 'text/javascript' : 'text/html' });
    res.end(isJs ? js : html);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${address.port}/`, close: () => server.close() });
    }),
  );
}

/** A fresh signed-in context's first load: gzipped JS bytes and ms to the overview's data. */
async function firstLoad(browser: Browser, url: string, key: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addCookies([await sessionCookie(url, key)]);
  const page = await context.newPage();
  const scripts: Promise<number>[] = [];
  page.on('response', (response) => {
    if (response.url().endsWith('.js')) scripts.push(response.body().then((b) => gzipSync(b).length));
  });
  const t0 = now();
  await page.goto(url);
  await page.getByRole('switch', { name: /Admin MCP/ }).waitFor();
  const ms = now() - t0;
  const gzipped = (await Promise.all(scripts)).reduce((a, b) => a + b, 0);
  return { ms, gzipped, context, page };
}

async function bareLoad(browser: Browser, url: string): Promise<number> {
  const page = await browser.newPage();
  const t0 = now();
  await page.goto(url);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const ms = now() - t0;
  await page.close();
  return ms;
}

/** Opens the customer list; ms to its first rows, then long tasks while scrolling to the last customer. */
// Page-side code as strings: this file is typed for Node, without the DOM's types.
const WATCH_LONG_TASKS = `window.longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push(e.duration); })
  .observe({ type: 'longtask' });`;

const scrollStep = (lastId: string) => `(() => {
  const region = document.querySelector('.virtual-scroll');
  if (!region) return false;
  region.scrollTop += 1500;
  return document.querySelector('a[href$="/customers/${lastId}"]') !== null;
})()`;

async function customerList(page: Page, count: number) {
  await page.evaluate(WATCH_LONG_TASKS);
  const t0 = now();
  await page.evaluate("window.location.hash = '#/customers'");
  await page.locator('a[href$="/customers/cust-00000"]').waitFor();
  const firstRowsMs = now() - t0;
  const last = customerId(count - 1);
  await page.evaluate('window.longTasks = []');
  const t1 = now();
  // Scroll the list region step by step, as a wheel would, until the last customer is rendered.
  for (let i = 0; i < 2_000; i += 1) {
    if (await page.evaluate(scrollStep(last))) break;
    await page.waitForTimeout(16);
  }
  await page.locator(`a[href$="/customers/${last}"]`).waitFor({ timeout: 60_000 });
  const scrollMs = now() - t1;
  const tasks = (await page.evaluate('window.longTasks')) as number[];
  return {
    firstRowsMs,
    scrollMs,
    longTasks: tasks.filter((d) => d > 50).length,
    longest: Math.max(0, ...tasks),
  };
}

export async function uiScenario(opts: { loads: number; customers: number }, log: (s: string) => void) {
  if (!existsSync(CHROMIUM)) {
    log(`ui: skipped — no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
    return { rows: [] as Row[], errors: 0, detail: { skipped: true } };
  }
  log(`ui: ${opts.loads} first loads in Chromium, then the customer list with ${opts.customers} customers`);
  const dir = mkdtempSync(join(tmpdir(), 'portico-bench-ui-'));
  await seedCustomers(dir, opts.customers);
  const server = await startChild(
    process.execPath,
    [join(ROOT, 'bin', 'portico.js'), 'serve', '--port', '0', '--data-dir', dir],
    {
      readyPattern: /(ptc_\w+)[\s\S]*Portico listening on (http:\/\/[\d.]+:\d+)/,
      env: { PORTICO_HEADLESS: '1' },
      timeoutMs: 30_000,
    },
  );
  const text = String(server.ready.line);
  const key = /(ptc_\w+)/.exec(text)?.[1] ?? '';
  const url = /Portico listening on (http:\/\/[\d.]+:\d+)/.exec(text)?.[1] ?? '';
  const bare = await bareServer();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const loads: number[] = [];
    const bareLoads: number[] = [];
    let gzipped = 0;
    for (let i = 0; i < opts.loads; i += 1) {
      bareLoads.push(await bareLoad(browser, bare.url));
      const load = await firstLoad(browser, url, key);
      loads.push(load.ms);
      gzipped = load.gzipped;
      await load.context.close();
    }
    const { context, page } = await firstLoad(browser, url, key);
    const list = await customerList(page, opts.customers);
    await context.close();
    const l = summarize(loads);
    const b = summarize(bareLoads);
    log(
      `  first load p50 ${round(l.p50)} ms (bare page ${round(b.p50)} ms), ${round(gzipped / 1024, 1)} kB gzipped JS; ` +
        `first customer rows ${round(list.firstRowsMs)} ms; scrolled to #${opts.customers} in ${round(list.scrollMs)} ms, ` +
        `${list.longTasks} long tasks (longest ${round(list.longest)} ms)`,
    );
    const rows: Row[] = [
      {
        scenario: 'Web UI',
        metric: 'first load: JS transferred, gzipped',
        portico: gzipped / 1024,
        baseline: null,
        compare: 'none',
        unit: 'kB',
        target: '≤ 300 kB',
        met: gzipped <= 300 * 1024,
      },
      {
        scenario: 'Web UI',
        metric: 'first load → interactive (signed in, data shown), p50',
        portico: l.p50,
        baseline: b.p50,
        compare: 'ratio',
        unit: 'ms',
        target: '≤ 1000 ms',
        met: l.p50 <= 1000,
      },
      {
        scenario: 'Web UI',
        metric: `customer list (${opts.customers}): first rows`,
        portico: list.firstRowsMs,
        baseline: null,
        compare: 'none',
        unit: 'ms',
        target: '≤ 1000 ms',
        met: list.firstRowsMs <= 1000,
      },
      {
        scenario: 'Web UI',
        metric: `customer list: long tasks > 50 ms scrolling to the end`,
        portico: list.longTasks,
        baseline: null,
        compare: 'none',
        unit: '',
        target: '0',
        met: list.longTasks === 0,
      },
      {
        scenario: 'Web UI',
        metric: 'customer list: longest task while scrolling',
        portico: list.longest,
        baseline: null,
        compare: 'none',
        unit: 'ms',
        target: '—',
        met: null,
      },
    ];
    return { rows, errors: 0, detail: { loads, bareLoads, gzipped, list } };
  } finally {
    await browser.close();
    bare.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A session cookie for the admin key, as a signed-in browser holds it (a returning user's load). */
async function sessionCookie(
  url: string,
  key: string,
): Promise<{ name: string; value: string; url: string }> {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: key }),
  });
  const [name = '', value = ''] = (res.headers.get('set-cookie') ?? '').split(';')[0]?.split('=') ?? [];
  if (!res.ok || !name) throw new Error(`sign-in failed: HTTP ${res.status}`);
  return { name, value, url };
}
