// The webhooks page in real Chromium against a real `portico serve`: create a webhook pointing at
// a receiver on 127.0.0.1 (the secret shown once, then gone), send a test and see its delivery,
// edit the events, refuse a bad URL without writing anything, delete.
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, expectAccessible, loginLink, screenshots, signIn } from '../helpers/browser';
import { portico, serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';
import { startReceiver, verifiedByStandardWebhooks } from '../helpers/webhook-receiver';

if (!chromiumAvailable) console.log('webhooks UI e2e skipped: no Chromium');

interface WebhookView {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  secret: string;
}

describe.skipIf(!chromiumAvailable)('the webhooks page', () => {
  it('creates, shows the secret once, tests, lists deliveries, edits, refuses a bad URL, deletes', async () => {
    const dir = tempDir();
    const served = await serve(['--data-dir', dir]);
    const admin = <T>(tool: string, input: unknown = {}): T => {
      const run = portico(['--data-dir', dir, 'admin', tool, JSON.stringify(input)]);
      if (run.code !== 0) throw new Error(`${tool}: ${run.stderr}`);
      return JSON.parse(run.stdout) as T;
    };
    const receiver = await startReceiver();
    const { page, problems } = await signIn(loginLink(served));
    page.setDefaultTimeout(10_000);
    await page.goto(`${served.url}/#/webhooks`);
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByText(/No webhooks\./).waitFor();
    await page.getByText(/No deliveries yet/).waitFor();
    await expectAccessible(page, 'webhooks, empty');
    await screenshots(page, 'webhooks-empty');

    // A bad URL is a field error and nothing is written.
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a webhook' });
    await dialog.waitFor();
    await expectAccessible(page, 'create webhook dialog');
    await screenshots(page, 'webhooks-create-dialog');
    const url = dialog.getByLabel('Receiver URL');
    await url.fill('not a url');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    await dialog.getByText(/Not a valid absolute URL/).waitFor();
    await url.fill('ftp://127.0.0.1/hook');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    await dialog.getByText(/must start with http:\/\/ or https:\/\//).waitFor();
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    // No events is refused the same way.
    await url.fill(receiver.url);
    await dialog.getByRole('checkbox', { name: 'tool.called' }).uncheck();
    await dialog.getByRole('checkbox', { name: 'tool.failed' }).uncheck();
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    await dialog.getByText('Pick at least one event.').waitFor();
    await expectAccessible(page, 'create webhook dialog with field errors');
    await screenshots(page, 'webhooks-create-errors');
    expect(admin<{ total: number }>('list_webhooks').total).toBe(0);

    // Created: the secret is shown once.
    await dialog.getByRole('checkbox', { name: 'customer.created' }).check();
    await dialog.getByLabel('Description (optional)').fill('CRM sync');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    const created = page.getByRole('dialog', { name: 'Webhook created' });
    await created.getByText("you won't see this again", { exact: false }).waitFor();
    const secret = (await created.getByTestId('webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{20,}$/);
    await expectAccessible(page, 'webhook secret shown once');
    await screenshots(page, 'webhooks-secret-once');
    await created.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row').filter({ hasText: receiver.url });
    await row.waitFor();
    expect(await page.getByText(secret).count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    const [stored] = admin<{ webhooks: WebhookView[] }>('list_webhooks').webhooks;
    if (!stored) throw new Error('no webhook stored');
    expect(stored).toMatchObject({ url: receiver.url, events: ['customer.created'], enabled: true });
    expect(stored.secret).not.toBe(secret);

    // A test event: the receiver gets it signed with that secret; the page lists the delivery.
    await row.getByRole('button', { name: /Send test to/ }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Test event to .*: Delivered .*HTTP 200/ })
      .waitFor();
    const body = verifiedByStandardWebhooks(secret, await receiver.request(1)) as { type: string };
    expect(body.type).toBe('webhook.test');
    const deliveries = page.getByRole('table', { name: 'Webhook deliveries' });
    const delivery = deliveries.getByRole('row').filter({ hasText: 'webhook.test' });
    await delivery.waitFor();
    await expect.poll(() => delivery.textContent()).toMatch(/delivered.*200.*1/);
    expect(await page.getByLabel('Webhook', { exact: true }).inputValue()).toBe(stored.id);
    await expectAccessible(page, 'webhooks with a delivery');
    await screenshots(page, 'webhooks-delivered');

    // Edit the events; the registry holds the change.
    await row.getByRole('button', { name: /Edit webhook/ }).click();
    const edit = page.getByRole('dialog', { name: 'Edit webhook' });
    await edit.waitFor();
    expect(await edit.getByRole('checkbox', { name: 'customer.created' }).isChecked()).toBe(true);
    await expectAccessible(page, 'edit webhook dialog');
    await screenshots(page, 'webhooks-edit-dialog');
    await edit.getByRole('checkbox', { name: 'key.created' }).check();
    await edit.getByRole('checkbox', { name: 'customer.created' }).uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    await row.getByText('key.created').waitFor();
    expect(admin<WebhookView>('get_webhook', { webhook_id: stored.id }).events).toEqual(['key.created']);

    // An invalid URL in the edit dialog writes nothing either.
    await row.getByRole('button', { name: /Edit webhook/ }).click();
    await edit.getByLabel('Receiver URL').fill('http://user:pw@127.0.0.1/x');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByText(/must not contain user:password@/).waitFor();
    await edit.getByRole('button', { name: 'Cancel' }).click();
    expect(admin<WebhookView>('get_webhook', { webhook_id: stored.id }).url).toBe(receiver.url);

    // A receiver that refuses: the page says so, with its status code, and lists the attempt.
    const refusing = await startReceiver([500]);
    const other = admin<WebhookView>('create_webhook', { url: refusing.url, events: ['key.revoked'] });
    const otherRow = page.getByRole('row').filter({ hasText: refusing.url });
    await otherRow.getByRole('button', { name: /Send test to/ }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Test event to .*: The test event was not delivered/ })
      .waitFor();
    await expect.poll(() => page.getByLabel('Webhook', { exact: true }).inputValue()).toBe(other.id);
    await expect
      .poll(() => deliveries.getByRole('row').filter({ hasText: 'webhook.test' }).first().textContent())
      .toMatch(/500/);
    await screenshots(page, 'webhooks-test-refused');
    admin('delete_webhook', { webhook_id: other.id });
    await otherRow.waitFor({ state: 'detached' });

    // Switched off from the list.
    await row.getByRole('switch', { name: /Send events to/ }).click();
    await expect.poll(() => admin<WebhookView>('get_webhook', { webhook_id: stored.id }).enabled).toBe(false);

    // Deleted after confirming.
    await row.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this webhook?' });
    await expectAccessible(page, 'delete webhook confirmation');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(/No webhooks\./).waitFor();
    expect(admin<{ total: number }>('list_webhooks').total).toBe(0);

    expect(problems).toEqual([]);
    expect(await served.stop()).toBe(0);
  }, 50_000);
});
