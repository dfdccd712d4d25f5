import type { z } from 'zod';
import type { actionDetail, actionSummary, paramInput } from '../../../shared/admin/actions';
import * as contracts from '../../../shared/admin/actions';
import { connectionFor } from '../connectors/connection-secrets';
import { needsCredentials } from '../gateway/credential-free';
import { computeToolset } from '../gateway/toolset';
import { type Action, type Connector, httpMappingSchema, type Workspace } from '../store/schema';
import { now } from './common';
import { requireConnector } from './connector-records';
import { requireCustomer } from './customers';
import { paginate } from './pagination';
import { implement, ToolError } from './registry';

interface DryRunRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

const summary = (a: Action): z.infer<typeof actionSummary> => ({
  name: a.name,
  title: a.title ?? null,
  description: a.description,
  enabled: a.enabled,
  method: a.http?.method ?? null,
  path: a.http?.path ?? null,
  annotations: a.annotations,
});
const detail = (c: Connector, a: Action): z.infer<typeof actionDetail> => ({
  ...summary(a),
  connector_id: c.id,
  input_schema: a.inputSchema,
  output_schema: a.outputSchema ?? null,
  http: a.http ?? null,
  upstream_name: a.upstreamName ?? null,
});

export function requireAction(connector: Connector, name: string): Action {
  const action = connector.actions.find((a) => a.name === name);
  if (!action) {
    const names = connector.actions.slice(0, 10).map((a) => a.name);
    throw new ToolError(
      `Connector "${connector.id}" has no action "${name}".${names.length ? ` Some of its actions: ${names.join(', ')}.` : ' It has no actions yet.'} Use list_actions to see them.`,
    );
  }
  return action;
}

function assertObjectSchema(schema: Record<string, unknown>, field: string): void {
  if (schema.type !== 'object')
    throw new ToolError(
      `\`${field}\` must be a JSON Schema with "type": "object" (MCP tools take an object of arguments).`,
    );
}

/** An input schema built from declared parameters and an optional body schema. */
function schemaFromParams(
  params: z.infer<typeof paramInput>[],
  body: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const p of params) {
    properties[p.name] = {
      type: p.type ?? 'string',
      ...(p.description ? { description: p.description } : {}),
    };
    if (p.required || p.in === 'path') required.push(p.name);
  }
  if (body) properties.body = body;
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

function annotationsFor(method: string) {
  return {
    readOnlyHint: method === 'GET' || method === 'HEAD',
    destructiveHint: method === 'DELETE',
    idempotentHint: ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].includes(method),
    openWorldHint: true,
  };
}

const listActions = implement(
  contracts.listActions,
  ({ connector_id, cursor, limit, query, enabled }, { store }) => {
    const c = requireConnector(store.data, connector_id);
    const needle = query?.toLowerCase();
    const all = c.actions.filter(
      (a) =>
        (enabled === undefined || a.enabled === enabled) &&
        (!needle || a.name.toLowerCase().includes(needle) || a.description.toLowerCase().includes(needle)),
    );
    const { page, ...rest } = paginate(all, cursor, limit);
    return { connector_id: c.id, actions: page.map(summary), ...rest };
  },
);

const getAction = implement(contracts.getAction, ({ connector_id, action }, { store }) => {
  const c = requireConnector(store.data, connector_id);
  return detail(c, requireAction(c, action));
});

const createAction = implement(contracts.createAction, (input, { store }) => {
  const result = store.mutate((ws) => {
    const c = requireConnector(ws, input.connector_id);
    if (c.kind !== 'http')
      throw new ToolError(
        `"${c.id}" is an MCP connector: its actions come from the upstream server. Use refresh_connector.`,
      );
    if (c.actions.some((a) => a.name === input.name))
      throw new ToolError(
        `Connector "${c.id}" already has an action "${input.name}". Use update_action, or pick another name.`,
      );
    const placeholders = [...input.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    const params = [...input.params];
    for (const name of placeholders)
      if (!params.some((p) => p.in === 'path' && p.name === name))
        params.push({ name, in: 'path', required: true });
    if (input.input_schema) assertObjectSchema(input.input_schema, 'input_schema');
    if (input.output_schema) assertObjectSchema(input.output_schema, 'output_schema');
    const action: Action = {
      name: input.name,
      description: input.description,
      inputSchema: input.input_schema ?? schemaFromParams(params, input.body_schema),
      outputSchema: input.output_schema,
      annotations: { ...annotationsFor(input.method), ...input.annotations },
      enabled: true,
      http: httpMappingSchema.parse({
        method: input.method,
        path: input.path,
        params: params.map((p) => ({ name: p.name, in: p.in, required: p.required ?? p.in === 'path' })),
        body: input.body_schema
          ? { contentType: 'application/json', mode: 'wrap', required: false }
          : undefined,
      }),
    };
    c.actions.push(action);
    c.updatedAt = now();
    return detail(c, action);
  });
  return result;
});

const updateAction = implement(contracts.updateAction, (input, { store }) => {
  return store.mutate((ws) => {
    const c = requireConnector(ws, input.connector_id);
    const a = requireAction(c, input.action);
    if (input.title !== undefined) a.title = input.title;
    if (input.description !== undefined) a.description = input.description;
    if (input.input_schema !== undefined) {
      assertObjectSchema(input.input_schema, 'input_schema');
      a.inputSchema = input.input_schema;
    }
    if (input.output_schema !== undefined) {
      if (input.output_schema) assertObjectSchema(input.output_schema, 'output_schema');
      a.outputSchema = input.output_schema ?? undefined;
    }
    if (input.annotations) a.annotations = { ...a.annotations, ...input.annotations };
    if (input.method !== undefined || input.path !== undefined) {
      if (!a.http) throw new ToolError('`method` and `path` apply to HTTP actions only.');
      if (input.method) a.http.method = input.method;
      if (input.path) a.http.path = input.path;
    }
    c.updatedAt = now();
    return detail(c, a);
  });
});

function dropFromAllowLists(ws: Workspace, connectorId: string, name: string): void {
  for (const customer of Object.values(ws.customers)) {
    const list = customer.exposure.actions[connectorId];
    if (list?.includes(name)) customer.exposure.actions[connectorId] = list.filter((n) => n !== name);
  }
}

const deleteAction = implement(contracts.deleteAction, ({ connector_id, action }, { store }) => {
  return store.mutate((ws) => {
    const c = requireConnector(ws, connector_id);
    requireAction(c, action);
    c.actions = c.actions.filter((a) => a.name !== action);
    dropFromAllowLists(ws, c.id, action);
    c.updatedAt = now();
    return { ok: true as const, message: `Deleted action "${action}" of "${c.id}".` };
  });
});

const setActionEnabled = implement(
  contracts.setActionEnabled,
  ({ connector_id, action, enabled }, { store }) => {
    return store.mutate((ws) => {
      const c = requireConnector(ws, connector_id);
      const a = requireAction(c, action);
      a.enabled = enabled;
      c.updatedAt = now();
      return summary(a);
    });
  },
);

const testAction = implement(contracts.testAction, async (input, ctx) => {
  const ws = ctx.store.data;
  requireCustomer(ws, input.customer_id);
  let connector: Connector;
  let action: Action;
  if (input.tool) {
    const entry = computeToolset(ws, input.customer_id).byName.get(input.tool);
    if (!entry)
      throw new ToolError(
        `Customer "${input.customer_id}" has no tool "${input.tool}". Use preview_customer_tools to see its tools.`,
      );
    connector = entry.connector;
    action = entry.action;
  } else if (input.connector_id && input.action) {
    connector = requireConnector(ws, input.connector_id);
    action = requireAction(connector, input.action);
  } else {
    throw new ToolError('Name the action: `tool`, or `connector_id` with `action`.');
  }
  const connection = connectionFor(ws, input.customer_id, connector.id);
  // A connector that needs no credentials is connected by the call itself (credential-free.ts).
  if (!connection && !input.dry_run && needsCredentials(ws, connector)) {
    throw new ToolError(
      `Customer "${input.customer_id}" has no connection for "${connector.id}". Create one with create_connection (or get_connect_url for OAuth).`,
    );
  }
  if (!ctx.pipeline)
    throw new ToolError('test_action needs the gateway; start Portico (portico serve) and try again.');
  // The very pipeline tools/call runs: validation, OAuth refresh and 401 retry, scrubbing, output check, activity.
  const result = await ctx.pipeline.run({
    customerId: input.customer_id,
    tool: input.tool ?? `${connector.slug}__${action.name}`,
    connector,
    action,
    args: input.arguments,
    entryPoint: ctx.caller.entryPoint,
    keyId: ctx.caller.keyId,
    signal: ctx.caller.signal,
    dryRun: input.dry_run,
  });
  const described = input.dry_run ? result.structuredContent : undefined;
  const http = described && typeof described.http === 'object' ? (described.http as DryRunRequest) : null;
  return {
    dry_run: input.dry_run,
    request: http,
    is_error: Boolean(result.isError),
    result: input.dry_run && !result.isError ? null : (result as Record<string, unknown>),
    ...(described && typeof described.mcp === 'object'
      ? { mcp_request: described.mcp as Record<string, unknown> }
      : {}),
  };
});

export const actionTools = [
  listActions,
  getAction,
  createAction,
  updateAction,
  deleteAction,
  setActionEnabled,
  testAction,
] as const;
