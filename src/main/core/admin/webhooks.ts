import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { EVENT_TYPES } from '../events/event-bus';
import type { Webhook, Workspace } from '../store/schema';
import { deliveryStates } from '../webhooks/outbox';
import { generateSecret, secretKey, WebhookSecretError } from '../webhooks/signing';
import { byId, now, okOutput } from './common';
import { pageInput, pageOutput, paginate } from './pagination';
import { type AdminContext, defineTool, ToolError } from './registry';

const MASKED_SECRET = 'whsec_••••';
const EVENT_GROUPS = [...new Set(EVENT_TYPES.map((t) => t.split('.')[0]))];
const VALID_EVENTS = `"*" (every event), ${EVENT_TYPES.join(', ')}, or a group wildcard like "connection.*"`;

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
  created_at: z.string(),
  updated_at: z.string(),
});
type WebhookView = z.infer<typeof webhookOutput>;

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

/** Pending counts per webhook id: one query per call, not one per webhook. */
const pendingCounts = (ctx: AdminContext) => ctx.webhooks.outbox.counts();

function view(webhook: Webhook, counts: ReadonlyMap<string, number>, secret?: string): WebhookView {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    enabled: webhook.enabled,
    description: webhook.description,
    secret: secret ?? MASKED_SECRET,
    pending_deliveries: counts.get(webhook.id) ?? 0,
    created_at: webhook.createdAt,
    updated_at: webhook.updatedAt,
  };
}

function requireWebhook(ws: Workspace, id: string): Webhook {
  const webhook = ws.webhooks[id];
  if (!webhook)
    throw new ToolError(
      `No webhook with id "${id}". Use list_webhooks to see the ids, or create_webhook to add one.`,
    );
  return webhook;
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new ToolError(
      '`url` is not a valid absolute URL. Give the receiver\'s full http(s) URL, e.g. "https://example.com/hooks/portico".',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ToolError(
      `Webhook URLs must start with http:// or https:// (got ${parsed.protocol}//). Give the receiver's http(s) URL, e.g. "https://example.com/hooks/portico".`,
    );
  if (parsed.username || parsed.password)
    throw new ToolError(
      'Webhook URLs must not contain user:password@. Receivers authenticate Portico by verifying the webhook-signature header with the signing secret.',
    );
  return url.trim();
}

function checkEvents(events: string[]): string[] {
  const known = new Set<string>(EVENT_TYPES);
  const unknown = events.filter(
    (e) => e !== '*' && !known.has(e) && !(e.endsWith('.*') && EVENT_GROUPS.includes(e.slice(0, -2))),
  );
  if (unknown.length)
    throw new ToolError(`Unknown event type(s): ${unknown.join(', ')}. Valid event types: ${VALID_EVENTS}.`);
  return [...new Set(events)];
}

function checkSecret(secret: string): string {
  try {
    secretKey(secret);
  } catch (error) {
    if (error instanceof WebhookSecretError) throw new ToolError(`Invalid \`secret\`: ${error.message}.`);
    throw error;
  }
  return secret.startsWith('whsec_') ? secret : `whsec_${secret}`;
}

const listWebhooks = defineTool({
  name: 'list_webhooks',
  title: 'List webhooks',
  description:
    'List the outbound event webhooks (signing secrets masked) with how many deliveries are pending. Paginated.',
  input: z.strictObject({ ...pageInput }),
  output: z.object({ webhooks: z.array(webhookOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
  async handler({ cursor, limit }, ctx) {
    const { page, ...rest } = paginate(byId(ctx.store.data.webhooks), cursor, limit);
    const counts = await pendingCounts(ctx);
    return { webhooks: page.map((w) => view(w, counts)), ...rest };
  },
});

const getWebhook = defineTool({
  name: 'get_webhook',
  title: 'Get a webhook',
  description:
    'Get one webhook by id (signing secret masked). Use list_webhook_deliveries for its delivery history.',
  input: z.strictObject({ webhook_id: webhookId }),
  output: webhookOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
  async handler({ webhook_id }, ctx) {
    const webhook = requireWebhook(ctx.store.data, webhook_id);
    return view(webhook, await pendingCounts(ctx));
  },
});

const createWebhook = defineTool({
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
  handler(input, ctx) {
    const url = checkUrl(input.url);
    const events = checkEvents(input.events);
    const secret = input.secret === undefined ? generateSecret() : checkSecret(input.secret);
    const id = `wh_${randomBytes(8).toString('hex')}`;
    const sealed = ctx.store.secrets.seal(secret, `webhook:${id}`);
    const created = ctx.store.mutate((ws) => {
      const at = now();
      const webhook: Webhook = {
        id,
        url,
        events,
        secret: sealed,
        enabled: input.enabled,
        description: input.description,
        createdAt: at,
        updatedAt: at,
      };
      ws.webhooks[id] = webhook;
      return webhook;
    });
    return view(created, new Map(), secret);
  },
});

const updateWebhook = defineTool({
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
        'Generate a new signing secret and return it once; the old secret stops working immediately.',
      ),
  }),
  output: webhookOutput,
  // Rotating the secret irrecoverably replaces the old one.
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  async handler(input, ctx) {
    requireWebhook(ctx.store.data, input.webhook_id);
    const url = input.url === undefined ? undefined : checkUrl(input.url);
    const events = input.events === undefined ? undefined : checkEvents(input.events);
    const secret = input.rotate_secret ? generateSecret() : undefined;
    const sealed = secret && ctx.store.secrets.seal(secret, `webhook:${input.webhook_id}`);
    const updated = ctx.store.mutate((ws) => {
      const webhook = requireWebhook(ws, input.webhook_id);
      if (url !== undefined) webhook.url = url;
      if (events !== undefined) webhook.events = events;
      if (input.enabled !== undefined) webhook.enabled = input.enabled;
      if (input.description !== undefined) webhook.description = input.description;
      if (sealed) webhook.secret = sealed;
      webhook.updatedAt = now();
      return webhook;
    });
    return view(updated, await pendingCounts(ctx), secret);
  },
});

const deleteWebhook = defineTool({
  name: 'delete_webhook',
  title: 'Delete a webhook',
  description:
    'Delete a webhook and drop its queued deliveries. Its delivery history stays in list_webhook_deliveries.',
  input: z.strictObject({ webhook_id: webhookId }),
  output: okOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  async handler({ webhook_id }, ctx) {
    ctx.store.mutate((ws) => {
      requireWebhook(ws, webhook_id);
      delete ws.webhooks[webhook_id];
    });
    const dropped = await ctx.webhooks.outbox.discard(webhook_id);
    const extra = dropped ? ` and dropped ${dropped} queued deliver${dropped === 1 ? 'y' : 'ies'}` : '';
    return { ok: true as const, message: `Deleted webhook "${webhook_id}"${extra}.` };
  },
});

const testWebhook = defineTool({
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
  async handler({ webhook_id }, ctx) {
    requireWebhook(ctx.store.data, webhook_id);
    const event = {
      type: 'webhook.test' as const,
      timestamp: now(),
      data: { webhook_id, message: 'This is a test event sent by Portico (test_webhook).' },
    };
    const outcome = await ctx.webhooks.deliverNow(webhook_id, event);
    const message = outcome.delivered
      ? `Delivered a signed webhook.test event (HTTP ${outcome.status_code} in ${outcome.duration_ms} ms).`
      : `The test event was not delivered: ${outcome.error}. Check that the URL is reachable from this machine and answers 2xx; events are retried automatically, tests are not.`;
    return {
      delivered: outcome.delivered,
      id: outcome.id,
      status_code: outcome.status_code,
      error: outcome.error,
      duration_ms: outcome.duration_ms,
      response_excerpt: outcome.response_excerpt,
      message,
    };
  },
});

/**
 * The attempt a page of list_webhook_deliveries continues after. The log only grows at its new end,
 * so a page never repeats or skips an attempt while new ones are recorded.
 */
function attemptCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const seq = /^s:\d{1,15}$/.test(text) ? Number(text.slice(2)) : -1;
  if (seq < 0)
    throw new ToolError(
      `Invalid cursor "${cursor}": pass the next_cursor value from the previous page, or omit it.`,
    );
  return seq;
}

const listWebhookDeliveries = defineTool({
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
  async handler({ webhook_id, state, cursor, limit }, ctx) {
    const page = await ctx.webhooks.outbox.attempts({
      webhookId: webhook_id,
      state,
      beforeSeq: cursor === undefined ? undefined : attemptCursor(cursor),
      limit,
    });
    if (webhook_id && !page.total) requireWebhook(ctx.store.data, webhook_id);
    const last = page.attempts.at(-1);
    const next_cursor = page.more && last ? Buffer.from(`s:${last.seq}`).toString('base64url') : null;
    const deliveries = page.attempts.map((d) => ({
      id: d.id,
      webhook_id: d.webhook_id,
      event_type: d.event_type,
      attempt: d.attempt,
      state: d.state,
      status_code: d.status_code,
      error: d.error,
      duration_ms: d.duration_ms,
      at: d.at,
      next_attempt_at: d.next_attempt_at,
    }));
    return { deliveries, next_cursor, total: page.total };
  },
});

export const webhookTools = [
  listWebhooks,
  getWebhook,
  createWebhook,
  updateWebhook,
  deleteWebhook,
  testWebhook,
  listWebhookDeliveries,
] as const;
