// Contracts of the auth-config tools; their handlers are in src/main/core/admin/auth.ts.
import { z } from 'zod';
import { authInputShape } from '../schemas/auth-input';
import { okOutput, pageInput, pageOutput } from './common';
import { contract } from './contract';

const connectorId = z.string().describe("The connector's id, from list_connectors.");

export const authOutput = z.object({
  connector_id: z.string(),
  scheme: z.string(),
  in: z.string().nullable(),
  name: z.string().nullable(),
  oauth2: z
    .object({
      grant: z.string(),
      client_id: z.string(),
      client_secret: z.string().nullable().describe('Masked.'),
      authorize_url: z.string().nullable(),
      token_url: z.string(),
      scopes: z.array(z.string()),
    })
    .nullable(),
  updated_at: z.string(),
});

export const listAuthConfigs = contract({
  name: 'list_auth_configs',
  title: 'List auth configs',
  description:
    'List how each connector authenticates (scheme, where an API key goes, OAuth endpoints). Secrets are masked. Paginated.',
  input: z.strictObject({ ...pageInput }),
  output: z.object({ auth_configs: z.array(authOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const getAuthConfig = contract({
  name: 'get_auth_config',
  title: 'Get an auth config',
  description: 'Get how one connector authenticates. The OAuth client secret is masked.',
  input: z.strictObject({ connector_id: connectorId }),
  output: authOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const setAuthConfig = contract({
  name: 'set_auth_config',
  title: 'Set an auth config',
  description:
    'Set how a connector\'s requests authenticate: scheme "none", "api_key" ({in: header|query, name}), "bearer", "basic", or "oauth2" ({grant: authorization_code|client_credentials, client_id, client_secret, authorize_url, token_url, scopes}). ' +
    "Each customer's own credentials go in their connection.",
  input: z.strictObject({ connector_id: connectorId, ...authInputShape }),
  output: authOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
});

export const deleteAuthConfig = contract({
  name: 'delete_auth_config',
  title: 'Delete an auth config',
  description:
    'Remove a connector\'s auth config: its requests then carry no credentials (scheme "none"). Connections keep their stored credentials.',
  input: z.strictObject({ connector_id: connectorId }),
  output: okOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
});

export const getConnectUrl = contract({
  name: 'get_connect_url',
  title: 'Get a connect URL',
  description:
    "How a customer connects a connector. For OAuth2 (authorization_code with PKCE): a URL that starts the provider's consent page and returns to Portico's loopback /oauth/callback, which stores the tokens as the customer's connection. " +
    "For an API key, token or password: a URL of Portico's UI to enter it (both need Portico running). " +
    'A connector that needs no credentials (auth scheme "none" or no auth config) gets no URL: the customer is connected at once (kind "none", with the connection\'s id).',
  input: z.strictObject({
    customer_id: z.string().describe('The customer who connects.'),
    connector_id: connectorId,
  }),
  output: z.object({
    url: z
      .string()
      .nullable()
      .describe('What the customer opens; null when nothing is needed (kind "none").'),
    kind: z
      .enum(['oauth2', 'credentials', 'none'])
      .describe(
        '"oauth2" (consent page), "credentials" (a form for a key or token) or "none" (connected now).',
      ),
    expires_in_seconds: z.number().nullable(),
    connection_id: z
      .string()
      .nullable()
      .describe('kind "none": the connection the customer now has (its credentials are empty).'),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
});

/** The auth-config tools, in the order they are listed. */
export const authContracts = [
  listAuthConfigs,
  getAuthConfig,
  setAuthConfig,
  deleteAuthConfig,
  getConnectUrl,
] as const;
