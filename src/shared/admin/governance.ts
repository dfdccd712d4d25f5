// Contracts of the governance tools; their handlers are in src/main/core/admin/governance.ts.
// Each feature keeps its contracts in its own block below and adds them to `governanceContracts`.
import { z } from 'zod';
import { contract } from './contract';

// ── Rate limits (set_rate_limits) ────────────────────────────────────────────────────────────

/** A key's or a customer's rate limits as outputs show them; null = no limit. */
export const rateLimitsOutput = z.object({
  calls_per_minute: z.number().int().nullable().describe('Calls per minute (token bucket); null = no limit.'),
  concurrent: z.number().int().nullable().describe('Calls in flight at once; null = no limit.'),
});

const limitValue = (max: number, what: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(max)
    .nullable()
    .optional()
    .describe(`${what} (1-${max}); null clears it, omitted leaves it as it is.`);

export const setRateLimits = contract({
  name: 'set_rate_limits',
  title: 'Set rate limits',
  description:
    'Limit the data-plane tool calls of one gateway API key (key_id) or one customer (customer_id): calls per minute (a token bucket, full at first) and calls at once. ' +
    'A call over a limit gets an error result saying when to retry (a client that keeps calling gets HTTP 429 with Retry-After). Other keys and customers are unaffected. ' +
    'Pass null to clear a limit.',
  input: z.strictObject({
    key_id: z.string().optional().describe('The gateway API key to limit (8 characters, see list_api_keys).'),
    customer_id: z.string().optional().describe('The customer to limit (all keys together).'),
    calls_per_minute: limitValue(1_000_000, 'Calls per minute'),
    concurrent: limitValue(10_000, 'Calls in flight at once'),
  }),
  output: z.object({
    key_id: z.string().optional(),
    customer_id: z.string().optional(),
    limits: rateLimitsOutput,
    message: z.string().describe('What was done.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
});

export const rateLimitContracts = [setRateLimits] as const;

// ── Usage (get_usage) ────────────────────────────────────────────────────────────────────────

export const usageRow = z.object({
  key_id: z.string().nullable().optional().describe('by "key": the API key (null: calls without one).'),
  customer_id: z.string().nullable().optional().describe('by "customer": the customer.'),
  tool: z.string().optional().describe('by "tool": the tool name the caller used.'),
  calls: z.number().int(),
  errors: z.number().int(),
  p50_ms: z.number().describe('Median duration in milliseconds.'),
  p95_ms: z.number().describe('95th percentile duration in milliseconds.'),
});

export const getUsage = contract({
  name: 'get_usage',
  title: 'Get usage',
  description:
    'Tool calls over the last hour, day or week, per API key, customer or tool: calls, errors (rate-limited calls included) and p50/p95 duration. ' +
    'Data-plane calls by default; plane "admin" counts admin tool calls instead.',
  input: z.strictObject({
    window: z
      .enum(['hour', 'day', 'week'])
      .describe('How far back: the last hour, day (24 h) or week (7 days).'),
    by: z.enum(['key', 'customer', 'tool']).describe('One row per API key, customer or tool.'),
    plane: z.enum(['gateway', 'admin']).default('gateway').describe('Which plane (default "gateway").'),
  }),
  output: z.object({
    window: z.enum(['hour', 'day', 'week']),
    by: z.enum(['key', 'customer', 'tool']),
    from: z.string().describe('The window starts here (ISO time).'),
    rows: z.array(usageRow).describe('Most calls first.'),
    sampled: z
      .boolean()
      .describe(
        'True when the window held too many calls to use all durations: percentiles are of the newest.',
      ),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const usageContracts = [getUsage] as const;

// ── Activity retention (set_activity_retention) ──────────────────────────────────────────────

export const activityRetentionOutput = z.object({
  days: z.number().int().describe('Activity entries older than this many days are deleted.'),
  max_rows: z
    .number()
    .int()
    .describe('At most this many entries are kept; the oldest beyond it are deleted.'),
});

export const setActivityRetention = contract({
  name: 'set_activity_retention',
  title: 'Set activity retention',
  description:
    'How long the activity log keeps entries (days, default 90) and how many it keeps at most (max_rows, default 1,000,000; the oldest beyond the cap are deleted). ' +
    'Pruning runs at once, at start and hourly. Omitted fields stay as they are; with neither, answers the current retention.',
  input: z.strictObject({
    days: z.number().int().min(1).max(36_500).optional().describe('Keep entries this many days (1-36500).'),
    max_rows: z
      .number()
      .int()
      .min(1)
      .max(1_000_000_000)
      .optional()
      .describe('Keep at most this many entries (1-1000000000).'),
  }),
  output: activityRetentionOutput.extend({
    deleted: z.number().int().describe('How many entries the pruning that followed deleted.'),
    message: z.string().describe('What was done.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
});

export const activityRetentionContracts = [setActivityRetention] as const;

// ── All governance tools, in the order they are listed ───────────────────────────────────────

export const governanceContracts = [
  ...rateLimitContracts,
  ...usageContracts,
  ...activityRetentionContracts,
] as const;
