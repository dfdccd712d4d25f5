// Handlers of the governance tools; their contracts are in src/shared/admin/governance.ts.
// Each feature keeps its handlers in its own block below and adds them to `governanceTools`.
import type { z } from 'zod';
import * as contracts from '../../../shared/admin/governance';
import type { UsageGroup } from '../activity/activity-log';
import type { RateLimits } from '../store/schema';
import { type AdminContext, implement, ToolError } from './registry';

// ── Rate limits (set_rate_limits) ────────────────────────────────────────────────────────────

/** A record's limits as outputs show them (get_customer, list_api_keys, set_rate_limits). */
export function rateLimitsView(limits: RateLimits | undefined): z.infer<typeof contracts.rateLimitsOutput> {
  return { calls_per_minute: limits?.callsPerMinute ?? null, concurrent: limits?.concurrent ?? null };
}

/** Applies omitted (unchanged), null (cleared) or a number; undefined when no limit is left. */
function merged(
  current: RateLimits | undefined,
  input: { calls_per_minute?: number | null; concurrent?: number | null },
): RateLimits | undefined {
  const next: RateLimits = { ...current };
  if (input.calls_per_minute === null) delete next.callsPerMinute;
  else if (input.calls_per_minute !== undefined) next.callsPerMinute = input.calls_per_minute;
  if (input.concurrent === null) delete next.concurrent;
  else if (input.concurrent !== undefined) next.concurrent = input.concurrent;
  return next.callsPerMinute || next.concurrent ? next : undefined;
}

const describe = (limits: RateLimits | undefined) =>
  limits
    ? [
        limits.callsPerMinute ? `${limits.callsPerMinute} calls per minute` : '',
        limits.concurrent ? `${limits.concurrent} at once` : '',
      ]
        .filter(Boolean)
        .join(', ')
    : 'no limits';

const setRateLimits = implement(contracts.setRateLimits, (input, ctx: AdminContext) => {
  const { key_id, customer_id } = input;
  if ((key_id === undefined) === (customer_id === undefined))
    throw new ToolError(
      'Name exactly one of `key_id` (a gateway API key, see list_api_keys) or `customer_id` (see list_customers).',
    );
  if (input.calls_per_minute === undefined && input.concurrent === undefined)
    throw new ToolError(
      'Nothing to set: pass `calls_per_minute` and/or `concurrent` (a number, or null to clear it).',
    );
  if (key_id !== undefined) {
    const id = key_id.replace(/^ptc_/, '').split('_')[0] ?? key_id;
    const limits = ctx.store.mutate((ws) => {
      const key = ws.apiKeys[id];
      if (!key) throw new ToolError(`No API key with id "${id}". Use list_api_keys to see the ids.`);
      if (key.scope !== 'gateway')
        throw new ToolError(
          `API key "${id}" has scope "${key.scope}": rate limits apply to gateway (data plane) keys only.`,
        );
      const next = merged(key.limits, input);
      if (next) key.limits = next;
      else delete key.limits;
      return next;
    });
    return {
      key_id: id,
      limits: rateLimitsView(limits),
      message: `API key ${id}: ${describe(limits)}.`,
    };
  }
  const cid = customer_id ?? '';
  const limits = ctx.store.mutate((ws) => {
    const customer = ws.customers[cid];
    if (!customer) throw new ToolError(`No customer with id "${cid}". Use list_customers to see the ids.`);
    const next = merged(customer.limits, input);
    if (next) customer.limits = next;
    else delete customer.limits;
    return next;
  });
  return {
    customer_id: cid,
    limits: rateLimitsView(limits),
    message: `Customer ${cid}: ${describe(limits)}.`,
  };
});

export const rateLimitTools = [setRateLimits] as const;

// ── Usage (get_usage) ────────────────────────────────────────────────────────────────────────

const WINDOW_MS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
const COLUMN: Record<'key' | 'customer' | 'tool', UsageGroup> = {
  key: 'key_id',
  customer: 'customer_id',
  tool: 'tool',
};

const getUsage = implement(contracts.getUsage, async ({ window, by, plane }, ctx) => {
  const from = new Date(Date.now() - WINDOW_MS[window]).toISOString();
  const { rows, sampled } = await ctx.activity.usage(from, COLUMN[by], { plane });
  return {
    window,
    by,
    from,
    sampled,
    rows: rows.map(({ group, ...counts }) => ({
      ...(by === 'tool' ? { tool: group ?? '' } : { [COLUMN[by]]: group }),
      ...counts,
    })),
  };
});

export const usageTools = [getUsage] as const;

// ── Activity retention (set_activity_retention) ─────────────────────────────────────────────

const setActivityRetention = implement(contracts.setActivityRetention, async ({ days, max_rows }, ctx) => {
  const settings = ctx.store.mutate((ws) => {
    if (days !== undefined) ws.settings.activityRetentionDays = days;
    if (max_rows !== undefined) ws.settings.activityMaxRows = max_rows;
    return { days: ws.settings.activityRetentionDays, max_rows: ws.settings.activityMaxRows };
  });
  const pruned = await ctx.activity.prune(settings.days, settings.max_rows);
  const deleted = pruned.expired + pruned.capped;
  return {
    ...settings,
    deleted,
    message: `Activity is kept ${settings.days} days, at most ${settings.max_rows} entries; ${deleted} deleted now.`,
  };
});

export const activityRetentionTools = [setActivityRetention] as const;

// ── All governance tools, in the order they are listed ───────────────────────────────────────

export const governanceTools = [...rateLimitTools, ...usageTools, ...activityRetentionTools] as const;
