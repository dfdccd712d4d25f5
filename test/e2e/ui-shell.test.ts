import { describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectAccessible,
  firstAdminKey,
  loginLink,
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
});
