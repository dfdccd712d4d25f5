import type { z } from 'zod';
import type { authOutput } from '../../../shared/admin/auth';
import * as contracts from '../../../shared/admin/auth';
import { CONNECT_LINK_TTL_SECONDS, connectPageUrl } from '../auth/connect-links';
import { findCatalogEntry } from '../catalog/catalog';
import { MASK } from '../connectors/credentials';
import { createPending, pkceChallenge } from '../connectors/oauth-pending';
import { ensureConnection, needsCredentials } from '../gateway/credential-free';
import type { AuthConfig, Workspace } from '../store/schema';
import { externalUrl } from '../store/server-info';
import { toAuthDraft } from './auth-draft';
import { now } from './common';
import { requireConnector } from './connector-records';
import { requireCustomer } from './customers';
import { paginate } from './pagination';
import { implement, ToolError } from './registry';

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

const listAuthConfigs = implement(contracts.listAuthConfigs, ({ cursor, limit }, { store }) => {
  const all = Object.values(store.data.authConfigs).sort((a, b) =>
    a.connectorId.localeCompare(b.connectorId),
  );
  const { page, ...rest } = paginate(all, cursor, limit);
  return { auth_configs: page.map(authView), ...rest };
});

const getAuthConfig = implement(contracts.getAuthConfig, ({ connector_id }, { store }) =>
  authView(requireAuth(store.data, connector_id)),
);

const setAuthConfig = implement(contracts.setAuthConfig, ({ connector_id, ...auth }, { store }) => {
  return authView(
    store.mutate((ws) => {
      const connector = requireConnector(ws, connector_id);
      const draft = toAuthDraft(auth, store, connector.id);
      const record: AuthConfig = { ...draft, connectorId: connector.id, updatedAt: now() };
      ws.authConfigs[connector.id] = record;
      return record;
    }),
  );
});

const deleteAuthConfig = implement(contracts.deleteAuthConfig, ({ connector_id }, { store }) => {
  return store.mutate((ws) => {
    const auth = requireAuth(ws, connector_id);
    delete ws.authConfigs[auth.connectorId];
    return { ok: true as const, message: `Removed the auth config of "${auth.connectorId}".` };
  });
});

/** What a connector that needs credentials asks each customer for, in words. */
function credentialsWanted(auth: AuthConfig | undefined, catalogId: string | undefined): string {
  switch (auth?.scheme) {
    case 'api_key':
      return `needs the customer's API key (sent in the ${auth.in ?? 'header'} "${auth.name ?? ''}")`;
    case 'bearer':
      return "needs the customer's bearer token";
    case 'basic':
      return "needs the customer's username and password";
    case 'oauth2':
      return "needs the customer's OAuth tokens";
    default: {
      const hint = catalogId ? findCatalogEntry(catalogId)?.credentials_hint : undefined;
      return hint
        ? `needs the customer's credentials (${hint.replace(/\.$/, '')})`
        : "needs the customer's credentials";
    }
  }
}

const getConnectUrl = implement(contracts.getConnectUrl, async ({ customer_id, connector_id }, ctx) => {
  const ws = ctx.store.data;
  requireCustomer(ws, customer_id);
  const connector = requireConnector(ws, connector_id);
  if (!needsCredentials(ws, connector)) {
    // Nothing to enter: the customer is connected now (its connection has no credentials).
    const ensured = ensureConnection(ctx.store, customer_id, connector.id);
    if (!ensured) throw new ToolError(`Could not connect ${connector.name} for customer "${customer_id}".`);
    const { connection, created } = ensured;
    if (created)
      ctx.events.emit('connection.created', {
        connection_id: connection.id,
        customer_id,
        connector_id: connector.id,
      });
    return {
      url: null,
      kind: 'none' as const,
      expires_in_seconds: null,
      connection_id: connection.id,
      message: `${connector.name} needs no credentials, so there is nothing for the customer to open or enter: customer "${customer_id}" is connected (connection ${connection.id}${created ? ', created now' : ''}) and its tools work as soon as they are exposed to that customer.`,
    };
  }
  const server = ctx.server();
  if (!server?.url)
    throw new ToolError(
      'Portico is not running, and the connect flow returns to it. Start it (`portico serve` or the desktop app), then ask again.',
    );
  const auth = ws.authConfigs[connector.id];
  if (auth?.scheme === 'oauth2' && auth.oauth2?.grant === 'authorization_code' && auth.oauth2.authorizeUrl) {
    const redirectUri = `${externalUrl(server)}/oauth/callback`;
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
      connection_id: null,
      message: `Open this URL to connect ${connector.name} for customer ${customer_id}. It works once, for 15 minutes.`,
    };
  }
  return {
    url: connectPageUrl(externalUrl(server) ?? server.url, ctx.store.secrets, customer_id, connector.id),
    kind: 'credentials' as const,
    expires_in_seconds: CONNECT_LINK_TTL_SECONDS,
    connection_id: null,
    message: `${connector.name} ${credentialsWanted(auth, connector.catalogId)}: enter them on the page at this URL (it works once, for 24 hours, without signing in to Portico), or call create_connection.`,
  };
});

export const authTools = [
  listAuthConfigs,
  getAuthConfig,
  setAuthConfig,
  deleteAuthConfig,
  getConnectUrl,
] as const;
