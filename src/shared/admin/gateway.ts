// Contracts of the gateway status, plane and activity tools; their handlers are in src/main/core/admin/gateway.ts.
import { z } from 'zod';
import { ENTRY_POINTS } from '../schemas/activity';
import { planeName } from '../schemas/entities';
import { pageInput, pageOutput } from './common';
import { contract } from './contract';

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
  activity_retention: z
    .object({ days: z.number().int(), max_rows: z.number().int() })
    .optional()
    .describe('How long and how many activity entries are kept (set_activity_retention).'),
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

export const getGatewayStatus = contract({
  name: 'get_gateway_status',
  title: 'Gateway status',
  description:
    'Whether the gateway runs, where, which planes serve, how secrets are stored, and workspace counts.',
  input: z.strictObject({}),
  output: statusOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const setPlaneEnabled = contract({
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
});

export const listActivity = contract({
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
        detail: z
          .string()
          .optional()
          .describe("What the entry records beyond its tool, e.g. an approval's tool and decision."),
      }),
    ),
    next_cursor: pageOutput.next_cursor,
  }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const getActivityStats = contract({
  name: 'get_activity_stats',
  title: 'Activity per hour',
  description:
    "Calls and errors per hour over the last hours (default 24), on both planes and every entry point, oldest hour first, with the totals — what the UI's overview chart shows.",
  input: z.strictObject({
    hours: z
      .number()
      .int()
      .min(1)
      .max(168)
      .default(24)
      .describe('How many hours back, 1 to 168 (default 24).'),
  }),
  output: z.object({
    buckets: z.array(
      z.object({
        hour: z.string().describe("The hour's start (ISO-8601, UTC)."),
        calls: z.number(),
        errors: z.number(),
      }),
    ),
    calls: z.number(),
    errors: z.number(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

/** The gateway tools, in the order they are listed. */
export const gatewayContracts = [getGatewayStatus, setPlaneEnabled, listActivity, getActivityStats] as const;
