import { z } from 'zod';
import { effectivePlanes } from '../server/server-info';
import { planeName } from '../store/schema';
import { VERSION } from '../version';
import { now } from './common';
import { type AdminContext, type AdminTool, defineTool } from './registry';

const planesOutput = z.object({ admin: z.boolean(), gateway: z.boolean() });

export const statusOutput = z.object({
  version: z.string(),
  running: z.boolean().describe('Whether a Portico server is running for this data dir.'),
  url: z.string().nullable(),
  pid: z.number().nullable(),
  planes: planesOutput.describe('Whether each plane serves requests right now.'),
  configured_planes: planesOutput.describe('The persisted on/off switches.'),
  data_dir: z.string(),
  secrets: z.string().describe('How secrets are encrypted at rest.'),
  counts: z.object({
    customers: z.number(),
    connectors: z.number(),
    connections: z.number(),
    webhooks: z.number(),
    api_keys: z.number(),
  }),
});

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
    secrets: `${ctx.store.keyProvider.kind}: ${ctx.store.keyProvider.description}`,
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

export const gatewayTools: AdminTool[] = [getGatewayStatus, setPlaneEnabled] as AdminTool[];
