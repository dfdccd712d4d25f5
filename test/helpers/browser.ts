// The web UI under real Chromium (Debian's, never a downloaded one): launch it, sign in to a real
// `portico serve` through the link it printed, check a page with axe, save screenshots in both
// themes under test-results/screenshots (artifacts, not committed).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, expect } from 'vitest';
import type { Served } from './cli';

export const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

let shared: Promise<Browser> | undefined;

/** One headless Chromium per test file, closed after it. */
export function browser(): Promise<Browser> {
  if (!shared) {
    shared = chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const launched = shared;
    afterAll(async () => (await launched).close());
  }
  return shared;
}

/** The one-time sign-in link `portico serve` printed. */
export function loginLink(served: Served): string {
  const link = /Web UI: (http:\/\/\S+#\/login\?token=\S+)/.exec(served.output())?.[1];
  if (!link) throw new Error(`portico serve printed no sign-in link:\n${served.output()}`);
  return link;
}

/** The first admin key `portico serve` printed on a fresh data dir. */
export function firstAdminKey(served: Served): string {
  const key = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/.exec(served.output())?.[0];
  if (!key) throw new Error(`no first admin key printed:\n${served.output()}`);
  return key;
}

export interface UiPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
}

/** A fresh browser context (own cookies) with a page that records every console error. */
export async function newUiPage(options: { colorScheme?: 'light' | 'dark' } = {}): Promise<UiPage> {
  const context = await (await browser()).newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { context, page, problems };
}

/** Signs a new context in through a fresh link (`portico serve`'s, or one minted by `portico ui`). */
export async function signIn(
  link: string,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<UiPage> {
  const ui = await newUiPage(options);
  await ui.page.goto(link);
  await ui.page.getByRole('navigation', { name: 'Portico' }).waitFor();
  return ui;
}

/** Signs in with an admin key typed into the sign-in form (repeatable, unlike the one-time link). */
export async function signInWithKey(
  url: string,
  key: string,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<UiPage> {
  const ui = await newUiPage(options);
  await ui.page.goto(url);
  await ui.page.getByLabel('Or sign in with an admin API key').fill(key);
  await ui.page.getByRole('button', { name: 'Sign in' }).click();
  await ui.page.getByRole('navigation', { name: 'Portico' }).waitFor();
  return ui;
}

/** Runs axe on the page as it is; fails on any serious or critical violation, naming them. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const described = bad.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join('; ')}`,
  );
  expect(described, `axe on ${what}`).toEqual([]);
}

/** Saves a screenshot of the page in both themes (test artifacts). */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // From the top: a full-page capture draws the sticky sidebar where the page was scrolled to.
  await page.evaluate(() =>
    (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0),
  );
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
