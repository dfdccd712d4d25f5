// Contracts of the webhook tools; their handlers are in src/main/core/admin/webhooks.ts.
import { z } from 'zod';
import { EVENT_TYPES } from '../schemas/events';
import { deliveryStates } from '../schemas/webhooks';
import { okOutput, pageInput, pageOutput } from './common';
import { contract } from './contract';

/** How the webhook tools name the events one may subscribe to. */
export const VALID_EVENTS = `"*" (every event), ${EVENT_TYPES.join(', ')}, or a group wildcard like "connection.*"`;

const webhookId = z.string().describe("The webhook's id (from create_webhook or list_webhooks).");
const urlInput = z
  .string()
  .describe("The receiver's http(s) URL, e.g. https://example.com/hooks/portico. Portico POSTs events here.");
const eventsInput = z.array(z.string()).min(1).describe(`Event types to send: ${VALID_EVENTS}.`);
const descriptionInput = z.string().max(500).describe('A note on what this webhook is for.');

export const webhookOutput = z.object({
  id: z.string().describe('Webhook id.'),
  url: z.string(),
  events: z.array(z.string()).describe('Subscribed event types ("*" = all).'),
  enabled: z.boolean().describe('Disabled webhooks receive nothing; their queued retries are dropped.'),
  description: z.string(),
  secret: z
    .string()
    .describe(
      'The Standard Webhooks signing secret (whsec_…). Shown in full only by create_webhook and update_webhook with rotate_secret; masked everywhere else.',
    ),
  pending_deliveries: z.number().int().describe('Deliveries queued or being attempted for this webhook.'),
  previous_secret_valid_until: z
    .string()
    .nullable()
    .optional()
    .describe(
      'After rotate_webhook_secret with a grace period: until when deliveries are also signed with the previous secret; null when they are not.',
    ),
  created_at: z.string(),
  updated_at: z.string(),
});

const deliveryOutput = z.object({
  id: z.string().describe('Message id: the `webhook-id` header, the same on every attempt of one delivery.'),
  webhook_id: z.string(),
  event_type: z.string(),
  attempt: z.number().int().describe('1 for the first attempt, 2 for the first retry, …'),
  state: z
    .enum(deliveryStates)
    .describe(
      'After this attempt: delivered (2xx), pending (a retry is scheduled at next_attempt_at), failed (out of attempts), cancelled (webhook deleted or disabled).',
    ),
  status_code: z
    .number()
    .int()
    .nullable()
    .describe("The receiver's HTTP status; null when there was no response."),
  error: z.string().nullable().describe('Why the attempt failed; null when delivered.'),
  duration_ms: z.number().int(),
  at: z.string().describe('When the attempt finished.'),
  next_attempt_at: z.string().nullable(),
});

export const listWebhooks = contract({
  name: 'list_webhooks',
  title: 'List webhooks',
  description:
    'List the outbound event webhooks (signing secrets masked) with how many deliveries are pending. Paginated.',
  input: z.strictObject({ ...pageInput }),
  output: z.object({ webhooks: z.array(webhookOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const getWebhook = contract({
  name: 'get_webhook',
  title: 'Get a webhook',
  description:
    'Get one webhook by id (signing secret masked). Use list_webhook_deliveries for its delivery history.',
  input: z.strictObject({ webhook_id: webhookId }),
  output: webhookOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const createWebhook = contract({
  name: 'create_webhook',
  title: 'Create a webhook',
  description:
    'Send workspace and gateway events to an http(s) URL, signed the Standard Webhooks way: headers webhook-id, webhook-timestamp and ' +
    'webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>" keyed with the base64-decoded secret; the body is JSON {type, timestamp, data}. ' +
    'Failed deliveries (non-2xx, timeout after 10 s) are retried with exponential backoff for about 8 hours. ' +
    'The response holds the signing secret — the only time it is shown; store it in the receiver.',
  input: z.strictObject({
    url: urlInput,
    events: eventsInput,
    secret: z
      .string()
      .optional()
      .describe(
        'Your own signing secret, "whsec_" + base64 of 24-64 random bytes. Omit to have one generated.',
      ),
    description: descriptionInput.default(''),
    enabled: z.boolean().default(true).describe('Whether to start sending events now (default true).'),
  }),
  output: webhookOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
});

export const updateWebhook = contract({
  name: 'update_webhook',
  title: 'Update a webhook',
  description:
    "Change a webhook's URL, events, description or enabled switch. rotate_secret=true replaces the signing secret at once (the old one stops working) and returns the new one — shown only in this response.",
  input: z.strictObject({
    webhook_id: webhookId,
    url: urlInput.optional(),
    events: eventsInput.optional(),
    enabled: z.boolean().optional().describe('false stops sending events (queued retries are dropped).'),
    description: descriptionInput.optional(),
    rotate_secret: z
      .boolean()
      .default(false)
      .describe(
        'Generate a new signing secret and return it once; the old secret stops working immediately (rotate_webhook_secret keeps it signing for a grace period).',
      ),
  }),
  output: webhookOutput,
  // Rotating the secret irrecoverably replaces the old one.
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
});

export const deleteWebhook = contract({
  name: 'delete_webhook',
  title: 'Delete a webhook',
  description:
    'Delete a webhook and drop its queued deliveries. Its delivery history stays in list_webhook_deliveries.',
  input: z.strictObject({ webhook_id: webhookId }),
  output: okOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
});

export const testWebhook = contract({
  name: 'test_webhook',
  title: 'Send a test event',
  description:
    'Send a signed "webhook.test" event to the webhook\'s URL now (one attempt, no retries; works on disabled webhooks too) and report whether the receiver accepted it. The attempt is recorded in list_webhook_deliveries.',
  input: z.strictObject({ webhook_id: webhookId }),
  output: z.object({
    delivered: z.boolean().describe('True when the receiver answered 2xx.'),
    id: z.string().describe('The message id sent as the webhook-id header.'),
    status_code: z.number().int().nullable(),
    error: z.string().nullable(),
    duration_ms: z.number().int(),
    response_excerpt: z.string().nullable().describe("The start of the receiver's reply when it refused."),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
});

export const listWebhookDeliveries = contract({
  name: 'list_webhook_deliveries',
  title: 'List webhook deliveries',
  description:
    'List delivery attempts, newest first: event type, attempt number, HTTP status or error, duration and the state after the attempt. The newest 5,000 attempts are kept. Paginated.',
  input: z.strictObject({
    webhook_id: webhookId.optional().describe("Only this webhook's deliveries (default: all webhooks)."),
    state: z
      .enum(deliveryStates)
      .optional()
      .describe('Only attempts that left their delivery in this state.'),
    ...pageInput,
  }),
  output: z.object({ deliveries: z.array(deliveryOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const redeliverWebhook = contract({
  name: 'redeliver_webhook',
  title: 'Redeliver a webhook delivery',
  description:
    'Send a delivery again now, with the same event body and the same message id (webhook-id header), so receivers can deduplicate; ' +
    'it is signed with the current secret(s) and retried like any delivery. A finished delivery (delivered, failed or cancelled) starts a fresh set of attempts; ' +
    'a pending one waiting for its retry is attempted now. Take the id from list_webhook_deliveries.',
  input: z.strictObject({
    delivery_id: z
      .string()
      .min(1)
      .describe('The delivery (message) id, as listed by list_webhook_deliveries, e.g. "msg_…".'),
  }),
  output: z.object({
    id: z.string().describe('The delivery id: the same message id (webhook-id header) as before.'),
    webhook_id: z.string(),
    event_type: z.string(),
    state: z.enum(deliveryStates).describe('pending: the delivery is queued to be attempted now.'),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
});

export const rotateWebhookSecret = contract({
  name: 'rotate_webhook_secret',
  title: 'Rotate a webhook signing secret',
  description:
    'Replace the signing secret with a new one (whsec_…, shown only in this response). During the grace period every delivery carries two ' +
    'signatures in webhook-signature ("v1,<new> v1,<old>"), so the receiver can switch to the new secret without losing events; afterwards only the new one. ' +
    'grace_s=0 drops the old secret at once.',
  input: z.strictObject({
    webhook_id: webhookId,
    grace_s: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .default(24 * 3600)
      .describe(
        'How long the previous secret keeps signing too, in seconds (default 86400 = 24 h; 0 = none; at most 30 days).',
      ),
  }),
  output: z.object({
    webhook_id: z.string(),
    secret: z.string().describe('The new signing secret — store it in the receiver; it is not shown again.'),
    previous_secret_valid_until: z
      .string()
      .nullable()
      .describe('Until when deliveries are also signed with the previous secret; null with grace_s=0.'),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
});

/** The webhook tools, in the order they are listed. */
export const webhookContracts = [
  listWebhooks,
  getWebhook,
  createWebhook,
  updateWebhook,
  deleteWebhook,
  testWebhook,
  listWebhookDeliveries,
  redeliverWebhook,
  rotateWebhookSecret,
] as const;
