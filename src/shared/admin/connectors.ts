// Contracts of the connector tools; their handlers are in src/main/core/admin/connectors.ts.
import { z } from 'zod';
import { authInputSchema } from '../schemas/auth-input';
import { slugString } from '../schemas/entities';
import { forceInput, okOutput, pageInput, pageOutput } from './common';
import { contract, MAX_OPENAPI_DOCUMENT_BYTES } from './contract';

export const connectorOutput = z.object({
  id: z.string(),
  slug: z.string().describe('Prefix of its tool names: <slug>__<action>.'),
  name: z.string(),
  kind: z.enum(['http', 'mcp']),
  description: z.string(),
  transport: z.enum(['stdio', 'http']).nullable().describe('MCP connectors: how the upstream is reached.'),
  base_url: z.string().nullable().describe('HTTP connectors: the API base URL.'),
  command: z.string().nullable(),
  args: z.array(z.string()).nullable(),
  env: z.record(z.string(), z.string()).nullable().describe('Environment names; values are masked.'),
  url: z.string().nullable(),
  headers: z.record(z.string(), z.string()).nullable().describe('Header names; values are masked.'),
  auth_scheme: z.string().describe('The auth config\'s scheme, or "none".'),
  action_count: z.number().int(),
  enabled_action_count: z.number().int(),
  connection_count: z.number().int(),
  catalog_id: z.string().nullable(),
  openapi_source: z.string().nullable(),
  strict_output: z
    .boolean()
    .describe('Whether its tools advertise and enforce output schemas as documented (update_connector).'),
  trust_updates: z
    .boolean()
    .describe('mcp: whether changed upstream tool definitions apply at once instead of waiting for review.'),
  pending_tool_changes: z
    .number()
    .int()
    .describe(
      'Changed upstream tools held back from customers until approve_tool_changes (list_tool_changes).',
    ),
  created_at: z.string(),
  updated_at: z.string(),
});

const connectorId = z.string().describe("The connector's id (its slug at creation), from list_connectors.");
const stringMap = z.record(z.string(), z.string());

export const listConnectors = contract({
  name: 'list_connectors',
  title: 'List connectors',
  description:
    "List the workspace's connectors (HTTP APIs and upstream MCP servers) with their action and connection counts. Paginated.",
  input: z.strictObject({
    ...pageInput,
    kind: z.enum(['http', 'mcp']).optional().describe('Only connectors of this kind.'),
  }),
  output: z.object({ connectors: z.array(connectorOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const getConnector = contract({
  name: 'get_connector',
  title: 'Get a connector',
  description: 'Get one connector with a summary of its actions (use list_actions / get_action for schemas).',
  input: z.strictObject({ connector_id: connectorId }),
  output: connectorOutput.extend({
    actions: z.array(
      z.object({
        name: z.string(),
        enabled: z.boolean(),
        method: z.string().nullable(),
        path: z.string().nullable(),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const createConnector = contract({
  name: 'create_connector',
  title: 'Create a connector',
  description:
    'Create a connector. HTTP API: {slug, name, kind:"http", base_url, auth?} then add actions (create_action) or use import_openapi instead. ' +
    'Upstream MCP server: {slug, name, kind:"mcp", transport:"stdio", command, args?, env?} or {…, transport:"http", url, headers?}: Portico connects with that shared configuration and turns its tools into actions at once; ' +
    "if it cannot (the server needs a customer's credentials, or the command or URL is wrong), the connector is kept and next_steps says what to call.",
  input: z.strictObject({
    slug: slugString.describe('Short lowercase name used as the tool-name prefix, e.g. "github".'),
    name: z.string().min(1).max(200).describe('Display name.'),
    kind: z.enum(['http', 'mcp']).describe('"http" (an HTTP API) or "mcp" (an upstream MCP server).'),
    description: z.string().max(2000).optional().describe('What the connector is for.'),
    base_url: z.string().optional().describe('http: the API base URL, e.g. "https://api.example.com/v1".'),
    auth: authInputSchema.optional().describe('http: how requests authenticate (see set_auth_config).'),
    transport: z
      .enum(['stdio', 'http'])
      .optional()
      .describe('mcp: "stdio" (a local command) or "http" (Streamable HTTP URL).'),
    command: z.string().optional().describe('mcp stdio: the executable, e.g. "npx".'),
    args: z
      .array(z.string())
      .optional()
      .describe('mcp stdio: arguments, e.g. ["-y", "@modelcontextprotocol/server-memory"].'),
    env: stringMap
      .optional()
      .describe(
        'mcp stdio: environment shared by all customers (write-only). Per-customer secrets go in connections.',
      ),
    url: z.string().optional().describe("mcp http: the server's Streamable HTTP endpoint."),
    headers: stringMap.optional().describe('mcp http: headers shared by all customers (write-only).'),
  }),
  output: connectorOutput.extend({
    next_steps: z
      .array(z.string())
      .describe("What to call next: how its actions were found, or why they weren't and how to get them."),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
});

export const updateConnector = contract({
  name: 'update_connector',
  title: 'Update a connector',
  description:
    "Change a connector's name, slug, description, base URL, or its MCP command/args/env or url/headers, or whether its tools' output schemas are strict. Connected customer sessions are notified.",
  input: z.strictObject({
    connector_id: connectorId,
    slug: slugString.optional().describe('New slug (changes its tool names).'),
    name: z.string().min(1).max(200).optional().describe('New display name.'),
    description: z.string().max(2000).optional().describe('New description.'),
    base_url: z.string().optional().describe('http: new base URL.'),
    command: z.string().optional().describe('mcp stdio: new command.'),
    args: z.array(z.string()).optional().describe('mcp stdio: new arguments.'),
    env: stringMap.optional().describe('mcp stdio: replaces the shared environment (write-only).'),
    url: z.string().optional().describe('mcp http: new URL.'),
    headers: stringMap.optional().describe('mcp http: replaces the shared headers (write-only).'),
    strict_output: z
      .boolean()
      .optional()
      .describe(
        'true: its tools advertise and enforce their output schemas as documented (a response missing a required field becomes an error). false (the default): a relaxed form that keeps the shape but rejects nothing — fields missing, added, null or of another type — so responses that drift from the document still reach the agent.',
      ),
    trust_updates: z
      .boolean()
      .optional()
      .describe(
        'mcp: true applies changed upstream tool definitions at once; false (the default) holds a changed tool back from customers until approve_tool_changes.',
      ),
  }),
  output: connectorOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
});

export const deleteConnector = contract({
  name: 'delete_connector',
  title: 'Delete a connector',
  description:
    "Delete a connector with its actions and auth config. Refuses while connections use it or customers have it selected, listing them; force=true also deletes those connections and removes it from those customers' selections.",
  input: z.strictObject({ connector_id: connectorId, force: forceInput }),
  output: okOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
});

export const importOpenapi = contract({
  name: 'import_openapi',
  title: 'Import an OpenAPI document',
  description:
    'Create an HTTP connector from an OpenAPI 3.0/3.1 or Swagger 2.0 document (JSON or YAML): one action per operation, with input schemas from parameters and bodies, and the auth config from its security schemes. ' +
    'Give exactly one of spec (object or text), spec_path (local file) or spec_url.',
  input: z.strictObject({
    slug: slugString.describe('Slug for the new connector, e.g. "petstore".'),
    name: z.string().min(1).max(200).optional().describe("Display name (default: the document's title)."),
    spec: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .optional()
      .describe('The document, as an object or JSON/YAML text.'),
    spec_path: z.string().optional().describe('Path of a local JSON/YAML file.'),
    spec_url: z.string().optional().describe('http(s) URL of the document.'),
    base_url: z.string().optional().describe("Override the document's server URL (e.g. a staging host)."),
  }),
  output: z.object({
    id: z.string(),
    connector_id: z.string(),
    name: z.string(),
    base_url: z.string(),
    auth_scheme: z.string(),
    actions: z.array(
      z.object({ name: z.string(), method: z.string(), path: z.string(), description: z.string() }),
    ),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  // The document, escaped as a JSON string, may be a third larger than the file.
  maxInputBytes: Math.ceil(MAX_OPENAPI_DOCUMENT_BYTES * 1.3),
});

export const refreshConnector = contract({
  name: 'refresh_connector',
  title: "Refresh a connector's actions",
  description:
    'MCP connectors: connect to the upstream server and turn its tools into actions (keeping their schemas and annotations, and which ones you disabled). ' +
    'HTTP connectors imported from a URL or file: re-import the OpenAPI document.',
  input: z.strictObject({
    connector_id: connectorId,
    customer_id: z
      .string()
      .optional()
      .describe(
        "Use this customer's connection credentials to reach the upstream (when it needs them to list tools).",
      ),
  }),
  output: z.object({
    connector_id: z.string(),
    actions: z.array(z.string()),
    added: z.array(z.string()),
    removed: z.array(z.string()),
    held: z
      .array(
        z.object({
          change_id: z.string(),
          tool: z.string(),
          findings: z.array(z.object({ kind: z.string(), detail: z.string() })),
        }),
      )
      .optional()
      .describe(
        'mcp: tools whose upstream definition changed, held back from customers until approve_tool_changes.',
      ),
    flagged: z
      .array(
        z.object({
          tool: z.string(),
          findings: z.array(z.object({ kind: z.string(), detail: z.string() })),
        }),
      )
      .optional()
      .describe(
        'mcp: new tools (and the server\'s instructions, as "(server instructions)") with hidden Unicode or instruction-like text.',
      ),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
});

/** The connector tools, in the order they are listed. */
export const connectorContracts = [
  listConnectors,
  getConnector,
  createConnector,
  updateConnector,
  deleteConnector,
  importOpenapi,
  refreshConnector,
] as const;
