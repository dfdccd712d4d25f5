import * as contracts from '../../../shared/admin/oauth-connect';
import { takePending } from '../connectors/oauth-pending';
import { exchangeCode, OAuthError } from '../connectors/oauth-tokens';
import type { Connection } from '../store/schema';
import { storeCredentials } from './connections';
import { newId } from './connector-records';
import { implement, ToolError } from './registry';

/**
 * The second half of an OAuth connect link (get_connect_url): the provider redirected the browser
 * to /oauth/callback, which passes what it got here. Checks the single-use state, exchanges the
 * code with the PKCE verifier, and stores the tokens as the customer's connection.
 */
const completeOAuthConnect = implement(
  contracts.completeOAuthConnect,
  async ({ state, code, error, error_description }, ctx) => {
    const { store } = ctx;
    const pending = store.database ? await takePending(store.database, state) : undefined;
    if (!pending) {
      throw new ToolError(
        'This connect link was already used or has expired. Ask for a new one (get_connect_url) and try again.',
      );
    }
    if (error || !code) {
      const why = error
        ? `${error}${error_description ? `: ${error_description.slice(0, 300)}` : ''}`
        : 'no code returned';
      throw new ToolError(
        `The provider did not authorize the connection (${why}). Ask for a new connect link and try again.`,
      );
    }
    const auth = store.data.authConfigs[pending.connectorId];
    const customer = store.data.customers[pending.customerId];
    if (!auth?.oauth2 || !customer) {
      throw new ToolError(
        'The connector or customer changed since the link was made. Ask for a new connect link.',
      );
    }
    const verifier = store.secrets.open<string>(pending.verifier, `oauth-pending:${state}`);
    const secret = auth.oauth2.clientSecret
      ? store.secrets.open<string>(auth.oauth2.clientSecret, `auth:${auth.connectorId}`)
      : undefined;
    let tokens: Awaited<ReturnType<typeof exchangeCode>>;
    try {
      tokens = await exchangeCode(auth.oauth2, secret, code, verifier, pending.redirectUri);
    } catch (failure) {
      const message =
        failure instanceof OAuthError || failure instanceof Error ? failure.message : String(failure);
      throw new ToolError(`Exchanging the authorization code failed: ${message}.`);
    }
    let created = false;
    const connection = store.mutate((ws) => {
      const at = new Date().toISOString();
      let c: Connection | undefined = Object.values(ws.connections).find(
        (x) => x.customerId === pending.customerId && x.connectorId === pending.connectorId,
      );
      if (!c) {
        created = true;
        c = {
          id: newId('conn'),
          customerId: pending.customerId,
          connectorId: pending.connectorId,
          credentials: '',
          credentialKeys: [],
          status: 'active',
          createdAt: at,
          updatedAt: at,
        };
        ws.connections[c.id] = c;
      }
      storeCredentials(store, c, tokens);
      c.status = 'active';
      c.statusReason = 'Connected through OAuth.';
      c.updatedAt = at;
      return c;
    });
    ctx.events.emit(created ? 'connection.created' : 'connection.updated', {
      connection_id: connection.id,
      customer_id: connection.customerId,
      connector_id: connection.connectorId,
      status: 'active',
    });
    const connectorName = store.data.connectors[pending.connectorId]?.name ?? pending.connectorId;
    return {
      connection_id: connection.id,
      customer_id: connection.customerId,
      connector_id: connection.connectorId,
      created,
      message: `${connectorName} is now connected for ${customer.name}. You can close this window.`,
    };
  },
);

export const oauthConnectTools = [completeOAuthConnect] as const;
