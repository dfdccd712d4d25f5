import { z } from 'zod';
import { connectionFor } from '../connectors/connection-secrets';
import { computeToolset } from '../gateway/toolset';
import { type Action, type Connector, httpMappingSchema, type Workspace } from '../store/schema';
import { now, okOutput } from './common';
import { requireConnector } from './connector-records';
import { requireCustomer } from './customers';
import { pageInput, pageOutput, paginate } from './pagination';
import { defineTool, ToolError } from './registry';

interface DryRunRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

const connectorId = z.string().describe("The connector's id, from list_connectors.");
const actionName = z.string().describe("The action's name, from list_actions.");
const jsonSchema = z.record(z.string(), z.unknown());
const annotationsInput = z
  .strictObject({
    readOnlyHint: z.boolean().optional(),
    destructiveHint: z.boolean().optional(),
    idempotentHint: z.boolean().optional(),
    openWorldHint: z.boolean().optional(),
  })
  .describe('MCP tool annotations.');

const actionSummary = z.object({
  name: z.string(),
  title: z.string().nullable(),
  description: z.string(),
  enabled: z.boolean(),
  method: z.string().nullable(),
  path: z.string().nullable(),
  annotations: z.record(z.string(), z.unknown()),
});
const actionDetail = actionSummary.extend({
  connector_id: z.string(),
  input_schema: jsonSchema,
  output_schema: jsonSchema.nullable(),
  http: z.record(z.string(), z.unknown()).nullable().describe('How the action maps to an HTTP request.'),
  upstream_name: z.string().nullable(),
});

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

const paramInput = z.strictObject({
  name: z.string().describe('Parameter name on the wire.'),
  in: z.enum(['path', 'query', 'header', 'cookie']).describe('Where it goes.'),
  required: z.boolean().optional().describe('Whether the caller must give it (path parameters always are).'),
  type: z
    .enum(['string', 'number', 'integer', 'boolean', 'array', 'object'])
    .optional()
    .describe('JSON type (default string).'),
  description: z.string().optional(),
});

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

const listActions = defineTool({
  name: 'list_actions',
  title: "List a connector's actions",
  description:
    'List the actions (future tools) of a connector: name, description, enabled, HTTP method and path. Paginated; filter with query.',
  input: z.strictObject({
    connector_id: connectorId,
    ...pageInput,
    query: z.string().optional().describe('Only actions whose name or description contains this text.'),
    enabled: z.boolean().optional().describe('Only enabled (true) or disabled (false) actions.'),
  }),
  output: z.object({ connector_id: z.string(), actions: z.array(actionSummary), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
  handler({ connector_id, cursor, limit, query, enabled }, { store }) {
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
});

const getAction = defineTool({
  name: 'get_action',
  title: 'Get an action',
  description: 'Get one action with its input/output JSON Schemas, annotations and HTTP mapping.',
  input: z.strictObject({ connector_id: connectorId, action: actionName }),
  output: actionDetail,
  annotations: { readOnlyHint: true, idempotentHint: true },
  handler({ connector_id, action }, { store }) {
    const c = requireConnector(store.data, connector_id);
    return detail(c, requireAction(c, action));
  },
});

const createAction = defineTool({
  name: 'create_action',
  title: 'Create an action',
  description:
    'Add an action to an HTTP connector: method, path (with {param} placeholders), parameters and optionally a JSON body schema. The input schema is derived from them unless input_schema is given. ' +
    'MCP connectors get their actions from the upstream (refresh_connector).',
  input: z.strictObject({
    connector_id: connectorId,
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use letters, digits, "_", "." or "-" (at most 64)')
      .describe('Action name, e.g. "list_invoices".'),
    description: z
      .string()
      .max(4000)
      .default('')
      .describe('What it does — shown to agents as the tool description.'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).describe('HTTP method.'),
    path: z.string().startsWith('/').describe('Path under the base URL, e.g. "/invoices/{id}".'),
    params: z.array(paramInput).default([]).describe('Path, query, header and cookie parameters.'),
    body_schema: jsonSchema
      .optional()
      .describe('JSON Schema of a JSON request body, passed as the `body` argument.'),
    input_schema: jsonSchema.optional().describe('Override the derived input schema (must be type object).'),
    output_schema: jsonSchema.optional().describe('JSON Schema (type object) of the response.'),
    annotations: annotationsInput.optional(),
  }),
  output: actionDetail,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  handler(input, { store }) {
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
  },
});

const updateAction = defineTool({
  name: 'update_action',
  title: 'Update an action',
  description:
    "Change an action's description, title, schemas or annotations (and for HTTP actions its method or path). Connected sessions see the change.",
  input: z.strictObject({
    connector_id: connectorId,
    action: actionName,
    title: z.string().max(200).optional().describe('New human-readable title.'),
    description: z.string().max(4000).optional().describe('New description, shown to agents.'),
    input_schema: jsonSchema.optional().describe('New input JSON Schema (type object).'),
    output_schema: jsonSchema
      .nullable()
      .optional()
      .describe('New output JSON Schema (type object), or null to drop it.'),
    annotations: annotationsInput.optional(),
    method: z
      .enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])
      .optional()
      .describe('HTTP actions: new method.'),
    path: z.string().startsWith('/').optional().describe('HTTP actions: new path.'),
  }),
  output: actionDetail,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  handler(input, { store }) {
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
  },
});

function dropFromAllowLists(ws: Workspace, connectorId: string, name: string): void {
  for (const customer of Object.values(ws.customers)) {
    const list = customer.exposure.actions[connectorId];
    if (list?.includes(name)) customer.exposure.actions[connectorId] = list.filter((n) => n !== name);
  }
}

const deleteAction = defineTool({
  name: 'delete_action',
  title: 'Delete an action',
  description:
    'Delete an action (its tool disappears for every customer, and it is removed from per-action allow-lists). To hide it reversibly use set_action_enabled.',
  input: z.strictObject({ connector_id: connectorId, action: actionName }),
  output: okOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  handler({ connector_id, action }, { store }) {
    return store.mutate((ws) => {
      const c = requireConnector(ws, connector_id);
      requireAction(c, action);
      c.actions = c.actions.filter((a) => a.name !== action);
      dropFromAllowLists(ws, c.id, action);
      c.updatedAt = now();
      return { ok: true as const, message: `Deleted action "${action}" of "${c.id}".` };
    });
  },
});

const setActionEnabled = defineTool({
  name: 'set_action_enabled',
  title: 'Enable or disable an action',
  description:
    'Enable or disable an action for every customer. Disabled actions are not exposed as tools; connected sessions are notified.',
  input: z.strictObject({
    connector_id: connectorId,
    action: actionName,
    enabled: z.boolean().describe('true to expose, false to hide.'),
  }),
  output: actionSummary,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  handler({ connector_id, action, enabled }, { store }) {
    return store.mutate((ws) => {
      const c = requireConnector(ws, connector_id);
      const a = requireAction(c, action);
      a.enabled = enabled;
      c.updatedAt = now();
      return summary(a);
    });
  },
});

const testAction = defineTool({
  name: 'test_action',
  title: 'Test an action',
  description:
    "Run an action for a customer with their connection through the gateway's own call pipeline (tool = the customer's tool name, or connector_id + action): " +
    'argument validation, OAuth refresh, the upstream call, scrubbing and the output check, recorded in the activity log. ' +
    'dry_run=true returns the exact request that would be sent (HTTP: method, URL, headers, body), with secrets masked, and sends nothing.',
  input: z.strictObject({
    customer_id: z.string().describe('Whose connection to use.'),
    tool: z
      .string()
      .optional()
      .describe('The tool name as the customer sees it, e.g. "github__list_issues".'),
    connector_id: z.string().optional().describe('With `action`, instead of `tool`.'),
    action: z.string().optional().describe('With `connector_id`, instead of `tool`.'),
    arguments: z.record(z.string(), z.unknown()).default({}).describe('The tool arguments.'),
    dry_run: z
      .boolean()
      .default(false)
      .describe('Return the request that would be sent (secrets masked) instead of sending it.'),
  }),
  output: z.object({
    dry_run: z.boolean(),
    request: z
      .object({
        method: z.string(),
        url: z.string(),
        headers: z.record(z.string(), z.string()),
        body: z.string().nullable(),
      })
      .nullable(),
    is_error: z.boolean(),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('The MCP tool result (content, structuredContent, isError).'),
    mcp_request: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('dry_run on an MCP connector: the upstream and the tools/call request that would be sent.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler(input, ctx) {
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
    if (!connection && !input.dry_run) {
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
  },
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
