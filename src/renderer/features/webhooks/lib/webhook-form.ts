// The create/edit form's rules: create_webhook's own schema, with the URL checked the way the
// server checks it (the contract types it as a plain string) so a bad URL is a field error and
// nothing is sent.
import { z } from 'zod';
import { createWebhook } from '../../../../shared/admin/webhooks';
import { EVENT_TYPES } from '../../../../shared/schemas/events';

/** Subscribable events: every type but the test event (test_webhook sends that to any webhook). */
export const SUBSCRIBABLE_EVENTS: readonly string[] = EVENT_TYPES.filter((t) => t !== 'webhook.test');

/** The server's rule (src/main/core/admin/webhooks.ts checkUrl), with its messages. */
export function urlProblem(url: string): string | undefined {
  const text = url.trim();
  if (!text) return "Give the receiver's URL.";
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return 'Not a valid absolute URL. Give the receiver\'s full http(s) URL, e.g. "https://example.com/hooks/portico".';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return `Webhook URLs must start with http:// or https:// (got ${parsed.protocol}//).`;
  if (parsed.username || parsed.password)
    return 'Webhook URLs must not contain user:password@; receivers check the signature instead.';
  return undefined;
}

const url = z.string().superRefine((value, ctx) => {
  const problem = urlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const webhookFormSchema = createWebhook.input
  .pick({ url: true, events: true, description: true })
  .extend({
    url,
    // The contract's own rule (at least one), with a message for a person rather than an agent.
    events: z.array(z.string()).min(1, 'Pick at least one event.'),
  });

export type WebhookFormValues = z.input<typeof webhookFormSchema>;
