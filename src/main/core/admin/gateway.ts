import { z } from 'zod';
import { ENTRY_POINTS } from '../activity/activity-log';
import { planeName } from '../store/schema';
import { effectivePlanes } from '../store/server-info';
import { VERSION } from '../util/version';
import { now } from './common';
import { pageInput, pageOutput } from './pagination';
import { type AdminContext, defineTool, ToolError } from './registry';

const planesOutput = z.object({ admin: z.boolean(), gateway: z.boolean() });

export const statusOutput = z.object({
  version: z.string(),
  running: z.boolean().describe('Whether a Portico server is running for this data dir.'),
  url: z.string().nullable(),
  pid: z.number().nullable(),
  planes: planesOutput.describe('Whether each plane serves requests right now.'),
  configured_planes: planesOutput.describe('The persisted on/off switches.'),
  data_dir: z.string(),
  database: z
    .string()
    .describe('Where the workspace lives: the SQLite file, or the PostgreSQL URL without its password.'),
  secrets: z.string().describe('How secrets are encrypted at rest.'),
  counts: z.object({
    customers: z.number(),
    connectors: z.number(),
    connections: z.number(),
    webhooks: z.number(),
    api_keys: z.number(),
  }),
});

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
  };
}

const getGatewayStatus = defineTool({
  name: 'get_gateway_status',
  title: 'Gateway status',
  description:
    'Whether the gateway runs, where, which planes serve, how secrets are stored, and workspace counts.',
  input: z.strictObject({}),
  output: statusOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
  handler: (_input, ctx) => gatewayStatus(ctx),
});

const setPlaneEnabled = defineTool({
  name: 'set_plane_enabled',
  title: 'Switch a plane on or off',
  description:
    'Switch the admin (control) plane or the customer gateway (data) plane on or off — the same switch as the tray menu. Takes effect at once, without restart. ' +
    'While a plane is off its endpoint answers 503.',
  input: z.strictObject({
    plane: planeName.describe('"admin" or "gateway".'),
    enabled: z.boolean().describe('true to serve, false to answer 503.'),
  }),
  output: z.object({ plane: planeName, enabled: z.boolean(), planes: planesOutput, message: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  handler({ plane, enabled }, ctx) {
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
  },
});

const activityFilters = {
  from: z.string().datetime().optional().describe('Only calls at or after this ISO time.'),
  to: z.string().datetime().optional().describe('Only calls before this ISO time.'),
  plane: planeName.optional().describe('Only this plane.'),
  entry_point: z
    .enum(ENTRY_POINTS)
    .optional()
    .describe(
      'Only calls that came in this way: mcp, api (web UI / scripts), ipc (desktop window), cli, tray, oauth.',
    ),
  key_id: z.string().optional().describe('Only calls made with this API key.'),
  customer_id: z.string().optional().describe("Only this customer's calls."),
  tool: z.string().optional().describe('Only calls of this tool.'),
  outcome: z.enum(['ok', 'error']).optional().describe('Only successes or failures.'),
};

const listActivity = defineTool({
  name: 'list_activity',
  title: 'List activity',
  description:
    'Tool calls through Portico, newest first, from every entry point: time, plane, entry point, key, customer, tool, duration and outcome (never arguments or secrets). Paginated; filter by time, plane, entry point, key, customer, tool or outcome.',
  input: z.strictObject({ ...pageInput, ...activityFilters }),
  output: z.object({
    entries: z.array(
      z.object({
        id: z.string(),
        time: z.string(),
        plane: planeName,
        entry_point: z.enum(ENTRY_POINTS),
        key_id: z.string().nullable(),
        customer_id: z.string().nullable(),
        tool: z.string(),
        duration_ms: z.number(),
        outcome: z.enum(['ok', 'error']),
        error: z.string().optional(),
      }),
    ),
    next_cursor: pageOutput.next_cursor,
  }),
  annotations: { readOnlyHint: true, idempotentHint: true },
  async handler({ cursor, limit, ...filters }, ctx) {
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
  },
});

export const gatewayTools = [getGatewayStatus, setPlaneEnabled, listActivity] as const;
