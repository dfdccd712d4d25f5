import { describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectAccessible,
  firstAdminKey,
  loginLink,
  newUiPage,
  screenshots,
  signIn,
  signInWithKey,
} from '../helpers/browser';
import { serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

if (!chromiumAvailable) console.log('web UI shell e2e skipped: no Chromium');

describe.skipIf(!chromiumAvailable)('the web UI shell', () => {
  it('signs in through the printed one-time link, then refuses the link a second time', async () => {
    const served = await serve(['--data-dir', tempDir()]);
    const link = loginLink(served);
    const first = await signIn(link);
    expect(first.page.url()).toMatch(/#\/$/);
    await expectAccessible(first.page, 'overview');
    const again = await (await first.context.browser()?.newContext())?.newPage();
    if (!again) throw new Error('no page');
    await again.goto(link);
    await again.getByText(/already used or has expired/).waitFor();
    const byKey = await signInWithKey(served.url, firstAdminKey(served));
    expect(byKey.problems).toEqual([]);
    expect(first.problems).toEqual([]);
    expect(await served.stop()).toBe(0);
  }, 30_000);

  it('the sign-in page passes axe, and every area fits 1024×700 without sideways scrolling, in both themes', async () => {
    const served = await serve(['--data-dir', tempDir()]);
    const signedOut = await newUiPage();
    await signedOut.page.goto(served.url);
    await signedOut.page.getByRole('heading', { name: 'Sign in to Portico' }).waitFor();
    await expectAccessible(signedOut.page, 'sign-in page');
    await screenshots(signedOut.page, 'sign-in');
    expect(signedOut.problems).toEqual([]);
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, problems, context } = await signInWithKey(served.url, firstAdminKey(served), {
        colorScheme,
      });
      await page.setViewportSize({ width: 1024, height: 700 });
      for (const [route, heading] of [
        ['/', 'Overview'],
        ['/clients', 'Clients'],
        ['/keys', 'API keys'],
        ['/customers', 'Customers'],
        ['/connectors', 'Connectors'],
        ['/webhooks', 'Webhooks'],
        ['/activity', 'Activity'],
      ] as const) {
        await page.goto(`${served.url}/#${route}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        const width = await page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
              .documentElement.scrollWidth,
        );
        expect(width, `${route} in ${colorScheme}`).toBeLessThanOrEqual(1024);
        if (colorScheme === 'dark') await expectAccessible(page, `${route} (dark)`);
      }
      expect(problems).toEqual([]);
      await context.close();
    }
    expect(await served.stop()).toBe(0);
  }, 60_000);
});
