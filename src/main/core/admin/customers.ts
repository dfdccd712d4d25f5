import { z } from 'zod';
import { computeToolset } from '../gateway/toolset';
import { type Customer, idString, toolModeSchema, type Workspace } from '../store/schema';
import { byId, forceInput, now, okOutput } from './common';
import { pageInput, pageOutput, paginate } from './pagination';
import { defineTool, ToolError } from './registry';

const customerId = z.string().describe("The customer's id (its endOrgId).");

export const customerOutput = z.object({
  id: z.string().describe('Customer id; the same value is its endOrgId.'),
  name: z.string(),
  exposure: z.object({
    mode: z
      .enum(['all', 'selected'])
      .describe('`all`: every connector the customer has a connection for; `selected`: only connector_ids.'),
    connector_ids: z.array(z.string()),
    actions: z
      .record(z.string(), z.array(z.string()))
      .describe(
        'Per-connector allow-list of action names; a connector absent here exposes all its enabled actions.',
      ),
    tool_mode: toolModeSchema,
  }),
  metadata: z.record(z.string(), z.string()),
  connection_count: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});

export function customerView(customer: Customer, ws: Workspace): z.infer<typeof customerOutput> {
  return {
    id: customer.id,
    name: customer.name,
    exposure: {
      mode: customer.exposure.mode,
      connector_ids: customer.exposure.connectorIds,
      actions: customer.exposure.actions,
      tool_mode: customer.exposure.toolMode,
    },
    metadata: customer.metadata,
    connection_count: Object.values(ws.connections).filter((c) => c.customerId === customer.id).length,
    created_at: customer.createdAt,
    updated_at: customer.updatedAt,
  };
}

export function requireCustomer(ws: Workspace, id: string): Customer {
  const customer = ws.customers[id];
  if (!customer) {
    throw new ToolError(
      `No customer with id "${id}". Use list_customers to see the ids, or create_customer to add it.`,
    );
  }
  return customer;
}

const listCustomers = defineTool({
  name: 'list_customers',
  title: 'List customers',
  description:
    'List the customers (end organisations) of this workspace with their tool exposure. Paginated.',
  input: z.strictObject({
    ...pageInput,
    query: z
      .string()
      .optional()
      .describe('Only customers whose id or name contains this text (case-insensitive).'),
  }),
  output: z.object({ customers: z.array(customerOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
  handler({ cursor, limit, query }, { store }) {
    const ws = store.data;
    const needle = query?.toLowerCase();
    const all = byId(ws.customers).filter(
      (c) => !needle || c.id.toLowerCase().includes(needle) || c.name.toLowerCase().includes(needle),
    );
    const { page, ...rest } = paginate(all, cursor, limit);
    return { customers: page.map((c) => customerView(c, ws)), ...rest };
  },
});

const getCustomer = defineTool({
  name: 'get_customer',
  title: 'Get a customer',
  description: 'Get one customer by id, with its tool exposure and how many connections it has.',
  input: z.strictObject({ customer_id: customerId }),
  output: customerOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
  handler({ customer_id }, { store }) {
    return customerView(requireCustomer(store.data, customer_id), store.data);
  },
});

const createCustomer = defineTool({
  name: 'create_customer',
  title: 'Create a customer',
  description:
    'Create a customer (an end organisation whose systems agents act in). Its id is the endOrgId used in /mcp/gateway?customer_id=ID. ' +
    'New customers expose every connector they have a connection for (mode "all").',
  input: z.strictObject({
    id: idString.describe('Customer id (= endOrgId), e.g. "acme". Letters, digits, ".", "_", ":" or "-".'),
    name: z.string().min(1).max(200).describe('Display name, e.g. "Acme Inc."'),
    metadata: z.record(z.string(), z.string()).default({}).describe('Free-form string labels.'),
  }),
  output: customerOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  handler({ id, name, metadata }, { store, events }) {
    const created = store.mutate((ws) => {
      if (ws.customers[id])
        throw new ToolError(
          `A customer with id "${id}" already exists. Use update_customer to change it, or pick another id.`,
        );
      const at = now();
      const customer: Customer = {
        id,
        name,
        metadata,
        exposure: { mode: 'all', connectorIds: [], actions: {}, toolMode: 'auto' },
        createdAt: at,
        updatedAt: at,
      };
      ws.customers[id] = customer;
      return customer;
    });
    events.emit('customer.created', { customer_id: id, name });
    return customerView(created, store.data);
  },
});

const updateCustomer = defineTool({
  name: 'update_customer',
  title: 'Update a customer',
  description:
    'Rename a customer or replace its metadata. To change which tools it sees, use configure_customer_tools.',
  input: z.strictObject({
    customer_id: customerId,
    name: z.string().min(1).max(200).optional().describe('New display name.'),
    metadata: z.record(z.string(), z.string()).optional().describe('Replaces all metadata labels.'),
  }),
  output: customerOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  handler({ customer_id, name, metadata }, { store, events }) {
    const updated = store.mutate((ws) => {
      const customer = requireCustomer(ws, customer_id);
      if (name !== undefined) customer.name = name;
      if (metadata !== undefined) customer.metadata = metadata;
      customer.updatedAt = now();
      return customer;
    });
    events.emit('customer.updated', { customer_id, name: updated.name });
    return customerView(updated, store.data);
  },
});

const deleteCustomer = defineTool({
  name: 'delete_customer',
  title: 'Delete a customer',
  description:
    'Delete a customer. Refuses while it has connections or gateway keys restricted to it, listing them; pass force=true to delete its connections and remove it from those keys too.',
  input: z.strictObject({ customer_id: customerId, force: forceInput }),
  output: okOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  handler({ customer_id, force }, { store, events }) {
    const result = store.mutate((ws) => {
      requireCustomer(ws, customer_id);
      const connections = Object.values(ws.connections).filter((c) => c.customerId === customer_id);
      const keys = Object.values(ws.apiKeys).filter(
        (k) => !k.revokedAt && k.customers?.includes(customer_id),
      );
      if ((connections.length || keys.length) && !force) {
        const refs = [
          ...connections.map((c) => `connection ${c.id}`),
          ...keys.map((k) => `API key ${k.id} ("${k.name}")`),
        ];
        throw new ToolError(
          `Customer "${customer_id}" is still referenced by ${refs.join(', ')}. Delete those first, or call delete_customer again with force=true to remove them too.`,
        );
      }
      for (const c of connections) delete ws.connections[c.id];
      for (const k of keys) k.customers = (k.customers ?? []).filter((id) => id !== customer_id);
      delete ws.customers[customer_id];
      const extra =
        force && (connections.length || keys.length) ? ` and ${connections.length} connection(s)` : '';
      return { ok: true as const, message: `Deleted customer "${customer_id}"${extra}.` };
    });
    events.emit('customer.deleted', { customer_id });
    return result;
  },
});

const configureCustomerTools = defineTool({
  name: 'configure_customer_tools',
  title: "Configure a customer's tools",
  description:
    'Choose which tools a customer\'s gateway exposes: mode "all" (every connector it has a connection for) or "selected" (only connector_ids, optionally only some actions of each). ' +
    'tool_mode "direct" lists every tool, "search" exposes search_tools/describe_tool/call_tool, "auto" switches to search above the threshold (40). Connected sessions are notified.',
  input: z.strictObject({
    customer_id: customerId,
    mode: z.enum(['all', 'selected']).describe('"all" or "selected".'),
    connector_ids: z.array(z.string()).optional().describe('With mode "selected": the connectors to expose.'),
    actions: z
      .record(z.string(), z.array(z.string()))
      .optional()
      .describe(
        'Optional allow-list: connector id → action names to expose. Connectors not listed expose all enabled actions.',
      ),
    tool_mode: toolModeSchema.optional().describe('"direct", "search" or "auto" (default: unchanged).'),
  }),
  output: customerOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  handler({ customer_id, mode, connector_ids, actions, tool_mode }, { store, events }) {
    const updated = store.mutate((ws) => {
      const customer = requireCustomer(ws, customer_id);
      const ids = connector_ids ?? (mode === 'selected' ? customer.exposure.connectorIds : []);
      const unknown = [...ids, ...Object.keys(actions ?? {})].filter((id) => !ws.connectors[id]);
      if (unknown.length) {
        throw new ToolError(
          `Unknown connector id(s): ${[...new Set(unknown)].join(', ')}. Use list_connectors to see the ids.`,
        );
      }
      for (const [connectorId, names] of Object.entries(actions ?? {})) {
        const known = new Set(ws.connectors[connectorId]?.actions.map((a) => a.name));
        const missing = names.filter((n) => !known.has(n));
        if (missing.length) {
          throw new ToolError(
            `Connector "${connectorId}" has no action(s) ${missing.join(', ')}. Use list_actions to see its actions.`,
          );
        }
      }
      customer.exposure = {
        mode,
        connectorIds: mode === 'selected' ? [...new Set(ids)] : [],
        actions: actions ?? customer.exposure.actions,
        toolMode: tool_mode ?? customer.exposure.toolMode,
      };
      customer.updatedAt = now();
      return customer;
    });
    events.emit('customer.updated', {
      customer_id,
      exposure: updated.exposure.mode,
      tool_mode: updated.exposure.toolMode,
    });
    return customerView(updated, store.data);
  },
});

const previewCustomerTools = defineTool({
  name: 'preview_customer_tools',
  title: "Preview a customer's tools",
  description:
    "Exactly the tools the customer's gateway (/mcp/gateway?customer_id=ID) lists right now, with the connector and action behind each, whether it is served in search mode, and exposed connectors that still need a connection.",
  input: z.strictObject({ customer_id: customerId }),
  output: z.object({
    customer_id: z.string(),
    mode: z
      .enum(['direct', 'search'])
      .describe('"search": agents get search_tools/describe_tool/call_tool instead of the full list.'),
    tools: z.array(
      z.object({
        name: z.string(),
        connector_id: z.string(),
        action: z.string(),
        description: z.string(),
        connected: z.boolean(),
      }),
    ),
    unconnected_connectors: z
      .array(z.string())
      .describe('Exposed connectors without a connection: their calls return a connect URL.'),
    message: z.string().nullable(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true },
  handler({ customer_id }, { store }) {
    requireCustomer(store.data, customer_id);
    const toolset = computeToolset(store.data, customer_id);
    return {
      customer_id,
      mode: toolset.mode,
      tools: toolset.tools.map((t) => ({
        name: t.name,
        connector_id: t.connector.id,
        action: t.action.name,
        description: t.action.description.slice(0, 300),
        connected: t.connection !== undefined,
      })),
      unconnected_connectors: toolset.unconnected,
      message: toolset.tools.length ? null : 'No tools configured. Click Configure to enable connectors.',
    };
  },
});

export const customerTools = [
  listCustomers,
  getCustomer,
  createCustomer,
  updateCustomer,
  deleteCustomer,
  configureCustomerTools,
  previewCustomerTools,
] as const;
