import type { z } from 'zod';
import type { customerOutput } from '../../../shared/admin/customers';
import * as contracts from '../../../shared/admin/customers';
import { computeToolset } from '../gateway/toolset';
import { connectionsOfCustomer } from '../store/indexes';
import type { Customer, Workspace } from '../store/schema';
import { approvalPolicyView } from './approvals';
import { byId, now, requireCustomer } from './common';

export { requireCustomer };

import { rateLimitsView } from './governance';
import { paginate } from './pagination';
import { implement, ToolError } from './registry';

export function customerView(customer: Customer, ws: Workspace): z.infer<typeof customerOutput> {
  return {
    id: customer.id,
    name: customer.name,
    exposure: {
      mode: customer.exposure.mode,
      connector_ids: customer.exposure.connectorIds,
      actions: customer.exposure.actions,
      tool_mode: customer.exposure.toolMode,
      naming: customer.exposure.naming ?? 'prefixed',
    },
    tool_overrides: overridesView(customer),
    metadata: customer.metadata,
    connection_count: connectionsOfCustomer(ws, customer.id).length,
    created_at: customer.createdAt,
    updated_at: customer.updatedAt,
    ...(customer.limits ? { limits: rateLimitsView(customer.limits) } : {}),
    approvals: approvalPolicyView(customer.approvals),
  };
}

/** The customer's overrides as outputs show them (set_tool_overrides). */
export function overridesView(customer: Customer): z.infer<typeof customerOutput>['tool_overrides'] {
  // No prototype: a connector id like `__proto__` is an ordinary key.
  const out: z.infer<typeof customerOutput>['tool_overrides'] = Object.create(null);
  for (const [connectorId, list] of Object.entries(customer.overrides ?? {}))
    out[connectorId] = list.map((o) => ({ ...o }));
  return out;
}

const listCustomers = implement(contracts.listCustomers, ({ cursor, limit, query }, { store }) => {
  const ws = store.data;
  const needle = query?.toLowerCase();
  const all = byId(ws.customers).filter(
    (c) => !needle || c.id.toLowerCase().includes(needle) || c.name.toLowerCase().includes(needle),
  );
  const { page, ...rest } = paginate(all, cursor, limit);
  return { customers: page.map((c) => customerView(c, ws)), ...rest };
});

const getCustomer = implement(contracts.getCustomer, ({ customer_id }, { store }) => {
  return customerView(requireCustomer(store.data, customer_id), store.data);
});

const createCustomer = implement(contracts.createCustomer, ({ id, name, metadata }, { store, events }) => {
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
});

const updateCustomer = implement(
  contracts.updateCustomer,
  ({ customer_id, name, metadata }, { store, events }) => {
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
);

const deleteCustomer = implement(contracts.deleteCustomer, ({ customer_id, force }, { store, events }) => {
  const result = store.mutate((ws) => {
    requireCustomer(ws, customer_id);
    const connections = Object.values(ws.connections).filter((c) => c.customerId === customer_id);
    const keys = Object.values(ws.apiKeys).filter((k) => !k.revokedAt && k.customers?.includes(customer_id));
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
});

interface ExposureInput {
  mode: 'all' | 'selected';
  connector_ids?: string[];
  actions?: Record<string, string[]>;
  tool_mode?: Customer['exposure']['toolMode'];
  naming?: 'prefixed' | 'bare';
}

/** The exposure `input` gives a customer, checked against the workspace (configure and preview share it). */
function nextExposure(ws: Workspace, customer: Customer, input: ExposureInput): Customer['exposure'] {
  const { mode, connector_ids, actions, tool_mode, naming } = input;
  const ids = connector_ids ?? (mode === 'selected' ? customer.exposure.connectorIds : []);
  const unknown = [...ids, ...Object.keys(actions ?? {})].filter((id) => !Object.hasOwn(ws.connectors, id));
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
  return {
    mode,
    connectorIds: mode === 'selected' ? [...new Set(ids)] : [],
    actions: actions ?? customer.exposure.actions,
    toolMode: tool_mode ?? customer.exposure.toolMode,
    ...((naming ?? customer.exposure.naming) === 'bare' ? { naming: 'bare' as const } : {}),
  };
}

const configureCustomerTools = implement(
  contracts.configureCustomerTools,
  ({ customer_id, ...input }, { store, events }) => {
    const updated = store.mutate((ws) => {
      const customer = requireCustomer(ws, customer_id);
      customer.exposure = nextExposure(ws, customer, input);
      customer.updatedAt = now();
      return customer;
    });
    events.emit('customer.updated', {
      customer_id,
      exposure: updated.exposure.mode,
      tool_mode: updated.exposure.toolMode,
      naming: updated.exposure.naming ?? 'prefixed',
    });
    return customerView(updated, store.data);
  },
);

const previewCustomerTools = implement(
  contracts.previewCustomerTools,
  ({ customer_id, draft }, { store }) => {
    const saved = store.data;
    const customer = requireCustomer(saved, customer_id);
    // A draft is previewed on a copy of the workspace in which only this customer's exposure differs.
    const ws: Workspace = draft
      ? {
          ...saved,
          customers: Object.assign(Object.create(null), saved.customers, {
            [customer_id]: { ...customer, exposure: nextExposure(saved, customer, draft) },
          }),
        }
      : saved;
    const toolset = computeToolset(ws, customer_id);
    return {
      customer_id,
      mode: toolset.mode,
      tools: toolset.tools.map((t) => ({
        name: t.name,
        connector_id: t.connector.id,
        action: t.action.name,
        ...(t.title ? { title: t.title } : {}),
        description: t.description.slice(0, 300),
        connected: t.connection !== undefined,
      })),
      hidden: toolset.hidden.map((h) => ({ connector_id: h.connector.id, action: h.action.name })),
      unconnected_connectors: toolset.unconnected,
      message: toolset.tools.length ? null : 'No tools configured. Click Configure to enable connectors.',
    };
  },
);

export const customerTools = [
  listCustomers,
  getCustomer,
  createCustomer,
  updateCustomer,
  deleteCustomer,
  configureCustomerTools,
  previewCustomerTools,
] as const;
