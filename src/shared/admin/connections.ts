// Contracts of the connection tools; their handlers are in src/main/core/admin/connections.ts.
import { z } from 'zod';
import { credentialsSchema } from '../schemas/credentials';
import { connectionStatusSchema } from '../schemas/entities';
import { okOutput, pageInput, pageOutput } from './common';
import { contract } from './contract';

const connectionId = z.string().describe("The connection's id, from list_connections.");

export const connectionOutput = z.object({
  id: z.string(),
  customer_id: z.string(),
  connector_id: z.string(),
  status: connectionStatusSchema,
  status_reason: z.string().nullable(),
  credentials: z.record(z.string(), z.unknown()).describe('Which credentials are set; values are masked.'),
  last_tested_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const listConnections = contract({
  name: 'list_connections',
  title: 'List connections',
  description:
    "List customers' connections (their credentials for a connector) with status. Credentials are masked. Filter by customer or connector. Paginated.",
  input: z.strictObject({
    ...pageInput,
    customer_id: z.string().optional().describe("Only this customer's connections."),
    connector_id: z.string().optional().describe('Only connections to this connector.'),
  }),
  output: z.object({ connections: z.array(connectionOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const getConnection = contract({
  name: 'get_connection',
  title: 'Get a connection',
  description: 'Get one connection: customer, connector, status and which credentials are set (masked).',
  input: z.strictObject({ connection_id: connectionId }),
  output: connectionOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const createConnection = contract({
  name: 'create_connection',
  title: 'Create a connection',
  description:
    'Connect a customer to a connector with their credentials: {api_key} | {token} | {username, password} | {access_token, refresh_token} | {env: {…}} for stdio MCP servers | {headers: {…}}. ' +
    'Credentials are stored encrypted and never shown again. One connection per customer and connector.',
  input: z.strictObject({
    customer_id: z.string().describe('The customer.'),
    connector_id: z.string().describe('The connector.'),
    credentials: credentialsSchema.default({}),
  }),
  output: connectionOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
});

export const updateConnection = contract({
  name: 'update_connection',
  title: 'Update a connection',
  description:
    'Replace a connection\'s credentials (e.g. a rotated API key). Its status goes back to "untested".',
  input: z.strictObject({ connection_id: connectionId, credentials: credentialsSchema }),
  output: connectionOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
});

export const deleteConnection = contract({
  name: 'delete_connection',
  title: 'Delete a connection',
  description:
    "Delete a connection and its stored credentials. The customer loses that connector's tools (or, if selected, gets a connect link instead).",
  input: z.strictObject({ connection_id: connectionId }),
  output: okOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
});

export const testConnection = contract({
  name: 'test_connection',
  title: 'Test a connection',
  description:
    "Probe the upstream with this connection's credentials (a cheap read action for HTTP connectors, the MCP handshake for MCP servers) and record the status: active, error or expired, with the reason.",
  input: z.strictObject({ connection_id: connectionId }),
  output: connectionOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
});

export const refreshConnection = contract({
  name: 'refresh_connection',
  title: 'Refresh a connection',
  description:
    'OAuth2 connections: exchange the refresh token for a new access token now. Other connections: re-test them. A failed refresh marks the connection expired.',
  input: z.strictObject({ connection_id: connectionId }),
  output: connectionOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
});

/** The connection tools, in the order they are listed. */
export const connectionContracts = [
  listConnections,
  getConnection,
  createConnection,
  updateConnection,
  deleteConnection,
  testConnection,
  refreshConnection,
] as const;
