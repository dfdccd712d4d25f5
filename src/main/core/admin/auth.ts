import { z } from 'zod';
import { authInputShape } from '../connectors/auth-input';
import { MASK } from '../connectors/credentials';
import { createPending, pkceChallenge } from '../connectors/oauth-pending';
import type { AuthConfig, Workspace } from '../store/schema';
import { toAuthDraft } from './auth-draft';
import { now, okOutput } from './common';
import { requireConnector } from './connector-records';
import { requireCustomer } from './customers';
import { pageInput, pageOutput, paginate } from './pagination';
import { defineTool, ToolError } from './registry';

const connectorId = z.string().describe("The connector's id, from list_connectors.");

const authOutput = z.object({
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

function authView(a: AuthConfig): z.infer<typeof authOutput> {
  return {
    connector_id: a.connectorId,
    scheme: a.scheme,
    in: a.in ?? null,
    name: a.name ?? null,
    oauth2: a.oauth2
      ? {
          grant: a.oauth2.grant,
          client_id: a.oauth2.clientId,
          client_secret: a.oauth2.clientSecret ? MASK : null,
          authorize_url: a.oauth2.authorizeUrl ?? null,
          token_url: a.oauth2.tokenUrl,
          scopes: a.oauth2.scopes,
        }
      : null,
    updated_at: a.updatedAt,
  };
}

function requireAuth(ws: Workspace, id: string): AuthConfig {
  const connector = requireConnector(ws, id);
  const auth = ws.authConfigs[connector.id];
  if (!auth)
    throw new ToolError(
      `Connector "${connector.id}" has no auth config (it sends no credentials). Set one with set_auth_config.`,
    );
  return auth;
}

const listAuthConfigs = defineTool({
  name: 'list_auth_configs',
  title: 'List auth configs',
  description:
    'List how each connector authenticates (scheme, where an API key goes, OAuth endpoints). Secrets are masked. Paginated.',
  input: z.strictObject({ ...pageInput }),
  output: z.object({ auth_configs: z.array(authOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
  handler({ cursor, limit }, { store }) {
    const all = Object.values(store.data.authConfigs).sort((a, b) =>
      a.connectorId.localeCompare(b.connectorId),
    );
    const { page, ...rest } = paginate(all, cursor, limit);
    return { auth_configs: page.map(authView), ...rest };
  },
});

const getAuthConfig = defineTool({
  name: 'get_auth_config',
  title: 'Get an auth config',
  description: 'Get how one connector authenticates. The OAuth client secret is masked.',
  input: z.strictObject({ connector_id: connectorId }),
  output: authOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
  handler: ({ connector_id }, { store }) => authView(requireAuth(store.data, connector_id)),
});

const setAuthConfig = defineTool({
  name: 'set_auth_config',
  title: 'Set an auth config',
  description:
    'Set how a connector\'s requests authenticate: scheme "none", "api_key" ({in: header|query, name}), "bearer", "basic", or "oauth2" ({grant: authorization_code|client_credentials, client_id, client_secret, authorize_url, token_url, scopes}). ' +
    "Each customer's own credentials go in their connection.",
  input: z.strictObject({ connector_id: connectorId, ...authInputShape }),
  output: authOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  handler({ connector_id, ...auth }, { store }) {
    return authView(
      store.mutate((ws) => {
        const connector = requireConnector(ws, connector_id);
        const draft = toAuthDraft(auth, store, connector.id);
        const record: AuthConfig = { ...draft, connectorId: connector.id, updatedAt: now() };
        ws.authConfigs[connector.id] = record;
        return record;
      }),
    );
  },
});

const deleteAuthConfig = defineTool({
  name: 'delete_auth_config',
  title: 'Delete an auth config',
  description:
    'Remove a connector\'s auth config: its requests then carry no credentials (scheme "none"). Connections keep their stored credentials.',
  input: z.strictObject({ connector_id: connectorId }),
  output: okOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  handler({ connector_id }, { store }) {
    return store.mutate((ws) => {
      const auth = requireAuth(ws, connector_id);
      delete ws.authConfigs[auth.connectorId];
      return { ok: true as const, message: `Removed the auth config of "${auth.connectorId}".` };
    });
  },
});

const getConnectUrl = defineTool({
  name: 'get_connect_url',
  title: 'Get a connect URL',
  description:
    "The URL a customer opens to connect a connector. For OAuth2 (authorization_code with PKCE) it starts the provider's consent page and returns to Portico's loopback /oauth/callback, which stores the tokens as the customer's connection. " +
    "For other schemes it opens Portico's UI to enter the credential. Needs Portico running.",
  input: z.strictObject({
    customer_id: z.string().describe('The customer who connects.'),
    connector_id: connectorId,
  }),
  output: z.object({
    url: z.string(),
    kind: z.enum(['oauth2', 'credentials']),
    expires_in_seconds: z.number().nullable(),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  async handler({ customer_id, connector_id }, ctx) {
    const ws = ctx.store.data;
    requireCustomer(ws, customer_id);
    const connector = requireConnector(ws, connector_id);
    const server = ctx.server();
    if (!server?.url)
      throw new ToolError(
        'Portico is not running, and the connect flow returns to it. Start it (`portico serve` or the desktop app), then ask again.',
      );
    const auth = ws.authConfigs[connector.id];
    if (
      auth?.scheme === 'oauth2' &&
      auth.oauth2?.grant === 'authorization_code' &&
      auth.oauth2.authorizeUrl
    ) {
      const redirectUri = `${server.url}/oauth/callback`;
      if (!ctx.store.database)
        throw new ToolError('The workspace is read-only here; run this through the server.');
      const { state, verifier } = await createPending(
        ctx.store.database,
        { customerId: customer_id, connectorId: connector.id, redirectUri },
        (v, s) => ctx.store.secrets.seal(v, `oauth-pending:${s}`),
      );
      const url = new URL(auth.oauth2.authorizeUrl);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', auth.oauth2.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      if (auth.oauth2.scopes.length) url.searchParams.set('scope', auth.oauth2.scopes.join(' '));
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', pkceChallenge(verifier));
      url.searchParams.set('code_challenge_method', 'S256');
      return {
        url: url.toString(),
        kind: 'oauth2' as const,
        expires_in_seconds: 900,
        message: `Open this URL to connect ${connector.name} for customer ${customer_id}. It works once, for 15 minutes.`,
      };
    }
    const url = `${server.url}/#/connect?customer_id=${encodeURIComponent(customer_id)}&connector_id=${encodeURIComponent(connector.id)}`;
    return {
      url,
      kind: 'credentials' as const,
      expires_in_seconds: null,
      message: `${connector.name} uses ${auth?.scheme ?? 'no'} auth: enter the customer's credential in Portico's UI at this URL, or call create_connection.`,
    };
  },
});

export const authTools = [
  listAuthConfigs,
  getAuthConfig,
  setAuthConfig,
  deleteAuthConfig,
  getConnectUrl,
] as const;
