// Contracts of the tools that decide and manage MCP clients' OAuth access (Portico's built-in
// authorization server); their handlers are in src/main/core/admin/oauth-clients.ts.
import { z } from 'zod';
import { apiKeyScopeSchema } from '../schemas/entities';
import { pageInput, pageOutput } from './common';
import { contract } from './contract';

const requestId = z
  .string()
  .min(1)
  .max(100)
  .describe('The authorization request id: the last part of the consent page address (#/consent/ID).');

export const oauthRequestOutput = z.object({
  request_id: z.string(),
  client_id: z.string().describe('The client: its metadata document URL, or the id it registered.'),
  client_name: z.string(),
  client_uri: z.string().nullable(),
  redirect_uri: z.string().describe('Where the browser goes after the decision.'),
  plane: apiKeyScopeSchema.nullable().describe('The plane the client asked for (null: the admin picks).'),
  customer_hint: z.string().nullable().describe('A customer named in the requested resource URL.'),
  scope: z.string().nullable(),
  expires_at: z.string(),
});

export const getOAuthRequest = contract({
  name: 'get_oauth_request',
  title: 'Show an OAuth authorization request',
  description:
    'Show an MCP client’s pending OAuth authorization request (what the consent page shows): the client, where it redirects, and the plane it asks for.',
  input: z.strictObject({ request_id: requestId }),
  output: oauthRequestOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
});

const decisionOutput = z.object({
  redirect_to: z
    .string()
    .describe(
      'Send the browser here: the client’s redirect_uri with the code (or the error), state and iss.',
    ),
});

export const approveOAuthClient = contract({
  name: 'approve_oauth_client',
  title: 'Approve an MCP client (OAuth)',
  description:
    'Approve a pending OAuth authorization request: the client gets tokens with exactly the powers of an API key — scope "admin", or "gateway" for the listed customers. ' +
    'Returns the address to send the browser to. Revoke later with revoke_oauth_grant.',
  input: z.strictObject({
    request_id: requestId,
    plane: apiKeyScopeSchema
      .optional()
      .describe('The plane to allow; must match the one the client asked for when it named one.'),
    customers: z
      .array(z.string())
      .optional()
      .describe('Gateway only, required there: the customer ids the client may reach.'),
  }),
  output: decisionOutput.extend({
    client_id: z.string(),
    plane: apiKeyScopeSchema,
    customers: z.array(z.string()).nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
});

export const denyOAuthClient = contract({
  name: 'deny_oauth_client',
  title: 'Deny an MCP client (OAuth)',
  description:
    'Deny a pending OAuth authorization request; the client is told access_denied. Returns the address to send the browser to.',
  input: z.strictObject({ request_id: requestId }),
  output: decisionOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
});

export const oauthGrantOutput = z.object({
  id: z.string().describe('Grant id; activity names its calls as key_id "oauth:ID".'),
  client_id: z.string(),
  client_name: z.string(),
  plane: apiKeyScopeSchema,
  customers: z.array(z.string()).nullable().describe('Customers a gateway grant may reach.'),
  approved_by: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable().describe('When one of its tokens last opened a plane.'),
  revoked_at: z.string().nullable(),
});

export const listOAuthGrants = contract({
  name: 'list_oauth_grants',
  title: 'List OAuth grants',
  description:
    'List the MCP clients approved through OAuth: client, plane, customers, when approved and whether revoked. Their tokens are never shown.',
  input: z.strictObject({
    ...pageInput,
    include_revoked: z.boolean().default(false).describe('Also list revoked grants.'),
  }),
  output: z.object({ grants: z.array(oauthGrantOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const revokeOAuthGrant = contract({
  name: 'revoke_oauth_grant',
  title: 'Revoke an OAuth grant',
  description:
    'Revoke an MCP client’s OAuth grant: its access and refresh tokens stop working at once, and its open sessions are closed.',
  input: z.strictObject({ grant_id: z.string().describe('The grant id, as shown by list_oauth_grants.') }),
  output: oauthGrantOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
});

/** The OAuth client tools, in the order they are listed. */
export const oauthClientContracts = [
  getOAuthRequest,
  approveOAuthClient,
  denyOAuthClient,
  listOAuthGrants,
  revokeOAuthGrant,
] as const;
