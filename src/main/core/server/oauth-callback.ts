import type { IncomingMessage, ServerResponse } from 'node:http';
import { storeCredentials } from '../admin/connections';
import { newId } from '../admin/connector-records';
import { secretValues } from '../connectors/credentials';
import { takePending } from '../connectors/oauth-pending';
import { exchangeCode, OAuthError } from '../connectors/oauth-tokens';
import type { EventBus } from '../events/event-bus';
import { registerSecret } from '../log';
import type { Connection } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
      `<body style="font-family:system-ui;margin:3em"><h1>${esc(title)}</h1><p>${esc(message)}</p></body></html>`,
  );
}

/**
 * The loopback OAuth redirect target: checks the single-use state, exchanges the code (with
 * the PKCE verifier) and stores the tokens as the customer's connection.
 */
export async function handleOAuthCallback(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  store: WorkspaceStore,
  events: EventBus,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET');
    page(res, 405, 'Not connected', `The OAuth callback only takes GET requests, not ${req.method}.`);
    return;
  }
  const state = url.searchParams.get('state') ?? '';
  // The link may come from another process (the CLI): see its auth config and customer.
  store.refresh();
  const pending = state ? takePending(store.dataDir, state) : undefined;
  if (!pending) {
    page(
      res,
      400,
      'Link expired',
      'This connect link was already used or has expired. Ask for a new one (get_connect_url) and try again.',
    );
    return;
  }
  const providerError = url.searchParams.get('error');
  const code = url.searchParams.get('code');
  if (providerError || !code) {
    const description = url.searchParams.get('error_description');
    const why = providerError
      ? `${providerError}${description ? `: ${description.slice(0, 300)}` : ''}`
      : 'no code returned';
    page(
      res,
      400,
      'Not connected',
      `The provider did not authorize the connection (${why}). Ask for a new connect link and try again.`,
    );
    return;
  }
  const auth = store.data.authConfigs[pending.connectorId];
  const customer = store.data.customers[pending.customerId];
  if (!auth?.oauth2 || !customer) {
    page(
      res,
      400,
      'Not connected',
      'The connector or customer changed since the link was made. Ask for a new connect link.',
    );
    return;
  }
  const verifier = store.secrets.open<string>(pending.verifier, `oauth-pending:${state}`);
  const secret = auth.oauth2.clientSecret
    ? store.secrets.open<string>(auth.oauth2.clientSecret, `auth:${auth.connectorId}`)
    : undefined;
  if (secret) registerSecret(secret);
  let tokens: Awaited<ReturnType<typeof exchangeCode>>;
  try {
    tokens = await exchangeCode(auth.oauth2, secret, code, verifier, pending.redirectUri);
    for (const value of secretValues(tokens)) registerSecret(value);
  } catch (error) {
    const message = error instanceof OAuthError ? error.message : (error as Error).message;
    page(res, 502, 'Not connected', `Exchanging the authorization code failed: ${message}.`);
    return;
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
  await store.flushed();
  events.emit(created ? 'connection.created' : 'connection.updated', {
    connection_id: connection.id,
    customer_id: connection.customerId,
    connector_id: connection.connectorId,
    status: 'active',
  });
  const connectorName = store.data.connectors[pending.connectorId]?.name ?? pending.connectorId;
  page(
    res,
    200,
    'Connected',
    `${connectorName} is now connected for ${customer.name}. You can close this window.`,
  );
}
