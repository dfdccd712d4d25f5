import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import * as contracts from '../../../shared/admin/webhooks';
import { VALID_EVENTS, type webhookOutput } from '../../../shared/admin/webhooks';
import { EVENT_TYPES } from '../events/event-bus';
import type { Webhook, Workspace } from '../store/schema';
import { generateSecret, secretKey, WebhookSecretError } from '../webhooks/signing';
import { byId, now } from './common';
import { paginate } from './pagination';
import { type AdminContext, implement, ToolError } from './registry';

const MASKED_SECRET = 'whsec_••••';
const EVENT_GROUPS = [...new Set(EVENT_TYPES.map((t) => t.split('.')[0]))];
type WebhookView = z.infer<typeof webhookOutput>;

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
    previous_secret_valid_until: graceUntil(webhook),
    created_at: webhook.createdAt,
    updated_at: webhook.updatedAt,
  };
}

/** Until when the previous secret (a rotation's grace period) still signs; null when it does not. */
function graceUntil(webhook: Webhook): string | null {
  const until = webhook.previousSecretExpiresAt;
  return webhook.previousSecret && until && Date.parse(until) > Date.now() ? until : null;
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

const listWebhooks = implement(contracts.listWebhooks, async ({ cursor, limit }, ctx) => {
  const { page, ...rest } = paginate(byId(ctx.store.data.webhooks), cursor, limit);
  const counts = await pendingCounts(ctx);
  return { webhooks: page.map((w) => view(w, counts)), ...rest };
});

const getWebhook = implement(contracts.getWebhook, async ({ webhook_id }, ctx) => {
  const webhook = requireWebhook(ctx.store.data, webhook_id);
  return view(webhook, await pendingCounts(ctx));
});

const createWebhook = implement(contracts.createWebhook, (input, ctx) => {
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
});

const updateWebhook = implement(contracts.updateWebhook, async (input, ctx) => {
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
    if (sealed) {
      webhook.secret = sealed;
      delete webhook.previousSecret;
      delete webhook.previousSecretExpiresAt;
    }
    webhook.updatedAt = now();
    return webhook;
  });
  return view(updated, await pendingCounts(ctx), secret);
});

const deleteWebhook = implement(contracts.deleteWebhook, async ({ webhook_id }, ctx) => {
  ctx.store.mutate((ws) => {
    requireWebhook(ws, webhook_id);
    delete ws.webhooks[webhook_id];
  });
  const dropped = await ctx.webhooks.outbox.discard(webhook_id);
  const extra = dropped ? ` and dropped ${dropped} queued deliver${dropped === 1 ? 'y' : 'ies'}` : '';
  return { ok: true as const, message: `Deleted webhook "${webhook_id}"${extra}.` };
});

const testWebhook = implement(contracts.testWebhook, async ({ webhook_id }, ctx) => {
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

const listWebhookDeliveries = implement(
  contracts.listWebhookDeliveries,
  async ({ webhook_id, state, cursor, limit }, ctx) => {
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
);

const redeliverWebhook = implement(contracts.redeliverWebhook, async ({ delivery_id }, ctx) => {
  const id = delivery_id.trim();
  const result = await ctx.webhooks.redeliver(id);
  if (!result) {
    const why = (await ctx.webhooks.outbox.attempted(id))
      ? 'it was a test_webhook attempt (run test_webhook again instead)'
      : 'there is no such delivery (or its history was pruned)';
    throw new ToolError(
      `Cannot redeliver "${id}": ${why}. Use list_webhook_deliveries to see the delivery ids.`,
    );
  }
  const webhook = ctx.store.data.webhooks[result.webhookId];
  if (!webhook || result.refused)
    throw new ToolError(
      `Cannot redeliver "${id}": its webhook "${result.webhookId}" was deleted. Create a webhook with create_webhook for new events.`,
    );
  const out = { id, webhook_id: result.webhookId, event_type: result.eventType, state: 'pending' as const };
  if (result.busy)
    return {
      ...out,
      message: `Delivery ${id} is being attempted right now; its outcome will be in list_webhook_deliveries.`,
    };
  const disabled = webhook.enabled
    ? ''
    : ' The webhook is disabled, so it will be cancelled unless you enable it first with update_webhook (then redeliver again).';
  return {
    ...out,
    message: `Queued ${result.eventType} delivery ${id} again (same webhook-id), to be sent now.${disabled}`,
  };
});

const rotateWebhookSecret = implement(contracts.rotateWebhookSecret, (input, ctx) => {
  const { webhook_id, grace_s } = input;
  const current = requireWebhook(ctx.store.data, webhook_id);
  const secret = generateSecret();
  const context = `webhook:${webhook_id}`;
  const sealed = ctx.store.secrets.seal(secret, context);
  // The current secret is kept sealed as it is (same context), so it can sign until the grace ends.
  const previous = grace_s > 0 ? current.secret : undefined;
  const until = grace_s > 0 ? new Date(Date.now() + grace_s * 1000).toISOString() : null;
  ctx.store.mutate((ws) => {
    const webhook = requireWebhook(ws, webhook_id);
    if (previous && until) {
      webhook.previousSecret = webhook.secret;
      webhook.previousSecretExpiresAt = until;
    } else {
      delete webhook.previousSecret;
      delete webhook.previousSecretExpiresAt;
    }
    webhook.secret = sealed;
    webhook.updatedAt = now();
  });
  const message = until
    ? `Rotated the signing secret of ${webhook_id}. Until ${until} deliveries carry signatures with both the new and the previous secret; put the new one in the receiver before then.`
    : `Rotated the signing secret of ${webhook_id}; the previous secret no longer signs deliveries.`;
  return { webhook_id, secret, previous_secret_valid_until: until, message };
});

export const webhookTools = [
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
