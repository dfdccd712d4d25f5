import type { z } from 'zod';
import type { statusOutput } from '../../../shared/admin/gateway';
import * as contracts from '../../../shared/admin/gateway';
import { effectivePlanes } from '../store/server-info';
import { VERSION } from '../util/version';
import { now } from './common';
import { type AdminContext, implement, ToolError } from './registry';

/** How secrets are held (or why they can't be), without creating a key. */
function secretsDescription(ctx: AdminContext): string {
  try {
    const box = ctx.store.existingSecrets();
    if (!box) return 'none yet: a key is made when the first secret is stored';
    return `${box.provider.kind}: ${box.provider.description}`;
  } catch (error) {
    return `unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function gatewayStatus(ctx: AdminContext): z.infer<typeof statusOutput> {
  const ws = ctx.store.data;
  const info = ctx.server();
  return {
    version: VERSION,
    running: info !== null,
    url: info?.url ?? null,
    pid: info?.pid ?? null,
    planes: info ? effectivePlanes(ws.settings, info) : { admin: false, gateway: false },
    configured_planes: ws.settings.planes,
    data_dir: ctx.store.dataDir,
    database: ctx.store.location,
    secrets: secretsDescription(ctx),
    counts: {
      customers: Object.keys(ws.customers).length,
      connectors: Object.keys(ws.connectors).length,
      connections: Object.keys(ws.connections).length,
      webhooks: Object.keys(ws.webhooks).length,
      api_keys: Object.values(ws.apiKeys).filter((k) => !k.revokedAt).length,
    },
    activity_retention: { days: ws.settings.activityRetentionDays, max_rows: ws.settings.activityMaxRows },
  };
}

const getGatewayStatus = implement(contracts.getGatewayStatus, (_input, ctx) => gatewayStatus(ctx));

const setPlaneEnabled = implement(contracts.setPlaneEnabled, ({ plane, enabled }, ctx) => {
  ctx.store.mutate((ws) => {
    ws.settings.planes[plane] = enabled;
    ws.settings.planesChangedAt = now();
  });
  const planes = effectivePlanes(ctx.store.data.settings, ctx.server());
  const message =
    plane === 'admin' && !enabled
      ? 'The admin plane is off: /mcp/admin answers 503. Switch it on again from the tray menu, the UI, or `portico admin set_plane_enabled \'{"plane":"admin","enabled":true}\'`.'
      : `The ${plane} plane is ${enabled ? 'on' : 'off'}.`;
  return { plane, enabled, planes, message };
});

const listActivity = implement(contracts.listActivity, async ({ cursor, limit, ...filters }, ctx) => {
  let after: { time: string; id: string } | undefined;
  if (cursor) {
    const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    if (!time || !id)
      throw new ToolError('That cursor is not one list_activity returned; omit it for the first page.');
    after = { time, id };
  }
  const rows = await ctx.activity.query({ ...filters, after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map((e) => ({ ...e, key_id: e.key_id ?? null })),
    next_cursor:
      rows.length > limit && last ? Buffer.from(`${last.time}|${last.id}`).toString('base64url') : null,
  };
});

const getActivityStats = implement(contracts.getActivityStats, async ({ hours }, ctx) => {
  const HOUR = 3_600_000;
  const first = Math.floor(Date.now() / HOUR) * HOUR - (hours - 1) * HOUR;
  const counted = await ctx.activity.hourly(new Date(first).toISOString());
  // Every hour of the window, the quiet ones too: the chart's x axis is the clock.
  const buckets = Array.from({ length: hours }, (_, i) => {
    const hour = new Date(first + i * HOUR).toISOString();
    const row = counted.get(hour.slice(0, 13));
    return { hour, calls: row?.calls ?? 0, errors: row?.errors ?? 0 };
  });
  return {
    buckets,
    calls: buckets.reduce((n, b) => n + b.calls, 0),
    errors: buckets.reduce((n, b) => n + b.errors, 0),
  };
});

export const gatewayTools = [getGatewayStatus, setPlaneEnabled, listActivity, getActivityStats] as const;
