import type { IncomingMessage, ServerResponse } from 'node:http';
import { credentialFields } from '../../../shared/schemas/credential-fields';
import type { AdminRegistry, AdminServices, Caller } from '../admin/registry';
import { verifyApiKey } from '../auth/api-keys';
import { isSpent, openConnectToken } from '../auth/connect-links';
import { findCatalogEntry } from '../catalog/catalog';
import { connectionFor } from '../connectors/connection-secrets';
import type { WorkspaceStore } from '../store/workspace-store';
import { readJsonBody, sendJson } from './http-util';
import type { LiveEvents } from './live-events';
import type { WebSession, WebSessions } from './web-sessions';

export interface UiApiDeps {
  store: WorkspaceStore;
  registry: AdminRegistry;
  services: AdminServices;
  sessions: WebSessions;
  live: LiveEvents;
  /** The server's base URL, for sign-in links. */
  url(): string;
}

/** Longest quiet spell on an event stream: proxies and browsers keep a stream that speaks. */
const HEARTBEAT_MS = 20_000;
/** Open event streams per process: a page leaking EventSources must not exhaust the server. */
const MAX_STREAMS = 200;

const fail = (res: ServerResponse, status: number, error: string, headers?: Record<string, string>) =>
  sendJson(res, status, { ok: false, error }, headers);

/** The sign-in link `portico serve` prints and `portico ui` asks for: one use, 15 minutes. */
export function loginLink(deps: Pick<UiApiDeps, 'sessions' | 'url'>): string {
  return `${deps.url()}/#/login?token=${deps.sessions.mintLoginToken()}`;
}

/**
 * `/api/session`: GET says whether the browser is signed in (and hands the page its CSRF token);
 * POST signs in with a one-time login token or an admin key; DELETE signs out.
 */
export async function handleSession(
  deps: UiApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const current = deps.sessions.fromRequest(req);
  if (req.method === 'GET') {
    // Signed out is an answer, not an error: the page asks this on every load.
    sendJson(res, 200, {
      ok: true,
      value: current ? { signed_in: true, csrf: current.csrf } : { signed_in: false },
    });
    return;
  }
  if (req.method === 'DELETE') {
    if (current && !deps.sessions.checkCsrf(req, current))
      return fail(res, 403, 'Signing out needs the page’s CSRF token (X-CSRF-Token). Reload the page.');
    deps.sessions.close(req);
    return sendJson(res, 200, { ok: true, value: {} }, { 'set-cookie': deps.sessions.cookie() });
  }
  if (req.method !== 'POST')
    return fail(res, 405, `${req.method} is not supported on /api/session.`, { allow: 'GET, POST, DELETE' });
  const read = await readJsonBody(req, 16 * 1024);
  if (!read.ok) return fail(res, read.status, read.message);
  const body = (read.value ?? {}) as { login_token?: unknown; api_key?: unknown };
  let keyId: string | undefined;
  if (typeof body.login_token === 'string') {
    if (!deps.sessions.redeemLoginToken(body.login_token))
      return fail(
        res,
        401,
        'This sign-in link was already used or has expired (they work once, for 15 minutes). Run `portico ui` for a new one, or sign in with an admin key.',
      );
  } else if (typeof body.api_key === 'string') {
    const check = verifyApiKey(body.api_key.trim(), deps.store.data.apiKeys);
    if (!check.ok)
      return fail(
        res,
        401,
        check.reason === 'revoked'
          ? 'That API key was revoked.'
          : check.reason === 'malformed'
            ? 'That is not a Portico API key (they look like ptc_XXXXXXXX_…).'
            : 'Unknown API key.',
      );
    if (check.key.scope !== 'admin')
      return fail(
        res,
        403,
        `That key has scope "${check.key.scope}"; the UI needs an admin key (portico keys create --scope admin).`,
      );
    keyId = check.key.id;
  } else {
    return fail(
      res,
      400,
      'Send {"login_token": "…"} from a sign-in link, or {"api_key": "ptc_…"} with an admin key.',
    );
  }
  if (current) deps.sessions.close(req);
  const { id, session } = deps.sessions.open(keyId);
  sendJson(
    res,
    200,
    { ok: true, value: { signed_in: true, csrf: session.csrf } },
    { 'set-cookie': deps.sessions.cookie(id) },
  );
}

/** `GET /api/events`: a server-sent event stream of `change` and `activity` notices. */
export function handleEvents(
  deps: UiApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  session: WebSession | undefined,
): void {
  if (req.method !== 'GET') {
    fail(res, 405, 'Use GET for /api/events.', { allow: 'GET' });
    return;
  }
  if (deps.live.size >= MAX_STREAMS) {
    fail(res, 429, 'Too many open event streams; close other Portico tabs.', { 'retry-after': '10' });
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n: connected\n\n');
  const off = deps.live.on((kind, data) =>
    res.write(`event: ${kind}\ndata: ${JSON.stringify(data ?? {})}\n\n`),
  );
  const heartbeat = setInterval(() => {
    // A stream outlives neither its session (logout, expiry) nor its key.
    if (session && !deps.sessions.isAlive(session)) res.end();
    else res.write(': ping\n\n');
  }, HEARTBEAT_MS).unref();
  res.on('close', () => {
    off();
    clearInterval(heartbeat);
  });
}

/**
 * The connect page's endpoints (`/api/connect`, `/api/connect/oauth`), authorised by the link's
 * token alone (header `X-Connect-Token`): they reach one customer's connection for one
 * connector, through the registry, and nothing else.
 */
export async function handleConnect(
  deps: UiApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const token = req.headers['x-connect-token'];
  if (typeof token !== 'string')
    return fail(res, 401, 'This page needs the token of a connect link (X-Connect-Token).');
  let opened: ReturnType<typeof openConnectToken>;
  try {
    opened = openConnectToken(deps.store.secrets, token);
  } catch {
    return fail(
      res,
      503,
      'Portico cannot open its secrets key in this process, so connect links do not work here.',
    );
  }
  if (!opened.ok) return fail(res, 401, opened.error);
  const { grant } = opened;
  const ws = deps.store.data;
  const customer = Object.hasOwn(ws.customers, grant.customerId) ? ws.customers[grant.customerId] : undefined;
  const connector = Object.hasOwn(ws.connectors, grant.connectorId)
    ? ws.connectors[grant.connectorId]
    : undefined;
  if (!customer || !connector)
    return fail(res, 410, 'The customer or connector of this link no longer exists.');
  const existing = connectionFor(ws, customer.id, connector.id);
  if (isSpent(grant, existing?.updatedAt))
    return fail(
      res,
      410,
      `This link was already used: ${connector.name} is connected for ${customer.name}. Ask for a new link to change the credentials.`,
    );
  const auth = Object.hasOwn(ws.authConfigs, connector.id) ? ws.authConfigs[connector.id] : undefined;
  const caller: Caller = { entryPoint: 'api' };

  if (url.pathname === '/api/connect' && req.method === 'GET') {
    const example = connector.catalogId ? findCatalogEntry(connector.catalogId)?.connection : undefined;
    return sendJson(res, 200, {
      ok: true,
      value: {
        customer: { id: customer.id, name: customer.name },
        connector: { id: connector.id, name: connector.name, kind: connector.kind },
        scheme: auth?.scheme ?? 'none',
        fields: credentialFields({ scheme: auth?.scheme, in: auth?.in, name: auth?.name, example }),
        connected: existing !== undefined,
        expires_at: new Date(grant.expiresAt).toISOString(),
      },
    });
  }
  if (req.method !== 'POST')
    return fail(res, 405, `Use GET or POST for ${url.pathname}.`, { allow: 'GET, POST' });
  const read = await readJsonBody(req, 64 * 1024);
  if (!read.ok) return fail(res, read.status, read.message);
  if (url.pathname === '/api/connect/oauth') {
    const result = await deps.registry.call(
      'get_connect_url',
      { customer_id: customer.id, connector_id: connector.id },
      deps.services,
      caller,
    );
    return sendJson(res, result.ok ? 200 : 400, result);
  }
  const credentials = (read.value as { credentials?: unknown } | null)?.credentials;
  const result = existing
    ? await deps.registry.call(
        'update_connection',
        { connection_id: existing.id, credentials },
        deps.services,
        caller,
      )
    : await deps.registry.call(
        'create_connection',
        { customer_id: customer.id, connector_id: connector.id, credentials },
        deps.services,
        caller,
      );
  sendJson(res, result.ok ? 200 : 400, result);
}
