// Contracts of the action tools; their handlers are in src/main/core/admin/actions.ts.
import { z } from 'zod';
import { okOutput, pageInput, pageOutput } from './common';
import { contract } from './contract';

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

export const actionSummary = z.object({
  name: z.string(),
  title: z.string().nullable(),
  description: z.string(),
  enabled: z.boolean(),
  method: z.string().nullable(),
  path: z.string().nullable(),
  annotations: z.record(z.string(), z.unknown()),
});
export const actionDetail = actionSummary.extend({
  connector_id: z.string(),
  input_schema: jsonSchema,
  output_schema: jsonSchema.nullable(),
  http: z.record(z.string(), z.unknown()).nullable().describe('How the action maps to an HTTP request.'),
  upstream_name: z.string().nullable(),
});

export const paramInput = z.strictObject({
  name: z.string().describe('Parameter name on the wire.'),
  in: z.enum(['path', 'query', 'header', 'cookie']).describe('Where it goes.'),
  required: z.boolean().optional().describe('Whether the caller must give it (path parameters always are).'),
  type: z
    .enum(['string', 'number', 'integer', 'boolean', 'array', 'object'])
    .optional()
    .describe('JSON type (default string).'),
  description: z.string().optional(),
});

export const listActions = contract({
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
});

export const getAction = contract({
  name: 'get_action',
  title: 'Get an action',
  description: 'Get one action with its input/output JSON Schemas, annotations and HTTP mapping.',
  input: z.strictObject({ connector_id: connectorId, action: actionName }),
  output: actionDetail,
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const createAction = contract({
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
});

export const updateAction = contract({
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
});

export const deleteAction = contract({
  name: 'delete_action',
  title: 'Delete an action',
  description:
    'Delete an action (its tool disappears for every customer, and it is removed from per-action allow-lists). To hide it reversibly use set_action_enabled.',
  input: z.strictObject({ connector_id: connectorId, action: actionName }),
  output: okOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
});

export const setActionEnabled = contract({
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
});

export const testAction = contract({
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
});

/** The action tools, in the order they are listed. */
export const actionContracts = [
  listActions,
  getAction,
  createAction,
  updateAction,
  deleteAction,
  setActionEnabled,
  testAction,
] as const;
