import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdminRegistry, AdminServices, Caller } from '../admin/registry';
import { verifyApiKey } from '../auth/api-keys';
import { createCustomerMcpServer } from '../gateway/customer-mcp';
import type { GatewayRuntime } from '../gateway/gateway-runtime';
import { requestBase, resourceMetadataUrl } from '../oauth/metadata';
import { OidcVerifier } from '../oauth/oidc';
import type { ApiKey, PlaneName } from '../store/schema';
import { externalUrl, LOCAL_CREDENTIAL_HEADER } from '../store/server-info';
import type { WorkspaceStore } from '../store/workspace-store';
import { type Logger, redact } from '../util/log';
import { protoKeyMessage, protoKeyPath } from '../util/proto-keys';
import { VERSION } from '../util/version';
import { createAdminMcpServer } from './admin-mcp';
import { RPC, readJsonBody, sendJson, sendRpcError } from './http-util';
import type { LiveEvents } from './live-events';
import { handleOAuthCallback } from './oauth-callback';
import { oauthPrincipal, type Principal } from './oauth-principal';
import { handleOAuthRoute } from './oauth-routes';
import { type AccessPolicy, checkHostAndOrigin, KEY_HELP, presentedKey } from './request-guards';
import { SessionDirectory } from './session-directory';
import { SessionHub, type SessionLimits, sessionLimits } from './session-hub';
import { serveStatic } from './static-files';
import { handleConnect, handleEvents, handleSession, loginLink, type UiApiDeps } from './ui-api';
import { WebSessions } from './web-sessions';

export interface HttpServerDeps {
  store: WorkspaceStore;
  registry: AdminRegistry;
  services: AdminServices;
  gateway: GatewayRuntime;
  planes(): Record<PlaneName, boolean>;
  log: Logger;
  staticDir?: string;
  /** The secret `portico` commands of the same OS user present to go through this server. */
  localCredential: string;
  /** Idle timeout and sessions per key, for both planes (defaults: CONTRACT §2). */
  sessionLimits?: Partial<SessionLimits>;
  /** Workspace changes and recorded calls, for the UI's event stream. */
  live: LiveEvents;
  /** The hosts and origins allowed besides loopback (--public-url, --allowed-host, --allowed-origin). */
  access: AccessPolicy;
  /** OAuth for MCP clients: Protected Resource Metadata, the built-in authorization server, tokens on the planes. */
  oauth?: boolean;
  /** An external OpenID Connect provider as the authorization server (implies `oauth`): its JWTs are taken. */
  oauthIssuer?: string;
}

const PLANE_OFF: Record<PlaneName, string> = {
  admin:
    'The admin plane (control plane) is switched off. Switch it on from the Portico tray menu or UI, ' +
    'or run `portico admin set_plane_enabled \'{"plane":"admin","enabled":true}\'` (and restart without --no-admin if it was started with it).',
  gateway:
    'The customer gateway (data plane) is switched off. Switch it on from the Portico tray menu or UI, with the admin tool set_plane_enabled {"plane":"gateway","enabled":true}, ' +
    'or `portico admin set_plane_enabled \'{"plane":"gateway","enabled":true}\'`.',
};

/** A presented key checked: the key, or why it was refused (the 401's wording and challenge). */
type KeyCheckResult =
  | { ok: true; key: ApiKey }
  | { ok: false; why: string; message: string; challenge: string };

/** Where OAuth clients look for metadata, registration and tokens (RFC 8414, 9728, OIDC, the MCP defaults). */
const OAUTH_PATH =
  /^\/(?:\.well-known\/(?:oauth-|openid-)|(?:oauth\/)?(?:register|token|authorize|revoke)(?:\/|$))/i;

/** The HTTP listener: guards, key auth and plane routing in front of the MCP session hubs. */
export class PorticoHttpServer {
  readonly hubs: Record<PlaneName, SessionHub>;
  readonly #server: Server;
  #port = 0;
  #inflight = 0;
  /** Set once close() starts: readiness says so, for a load balancer to stop sending requests. */
  #draining = false;
  #drained: (() => void) | undefined;
  /** The web UI's sign-in sessions; made once the port (part of the cookie's name) is known. */
  #web: WebSessions | undefined;
  /** The external OIDC issuer's token checker (`--oauth-issuer`), if one is set. */
  readonly #oidc: OidcVerifier | undefined;
  /** Team mode (PostgreSQL): the MCP sessions of every replica, so that any replica serves any. */
  readonly #directory: SessionDirectory | undefined;

  constructor(private readonly deps: HttpServerDeps) {
    this.#oidc = deps.oauthIssuer ? new OidcVerifier(deps.oauthIssuer) : undefined;
    const database = deps.store.database;
    if (database?.engine === 'postgres' && !database.readOnly) {
      const idleMs = sessionLimits(deps.sessionLimits).idleTimeoutSeconds * 1000;
      this.#directory = new SessionDirectory(database, idleMs, deps.log);
    }
    this.hubs = {
      admin: new SessionHub(
        'admin',
        (owner) => ({ server: createAdminMcpServer(deps.registry, deps.services, owner.keyId) }),
        deps.sessionLimits,
        this.#directory,
      ),
      gateway: new SessionHub(
        'gateway',
        (owner, sessionId) => {
          const customer = deps.store.data.customers[owner.customerId ?? ''];
          if (!customer) throw new Error(`customer ${owner.customerId} vanished`);
          return createCustomerMcpServer(customer, deps.gateway, owner.keyId, sessionId);
        },
        deps.sessionLimits,
        this.#directory,
      ),
    };
    this.#server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
      const counted = req.method === 'POST';
      if (counted) this.#inflight += 1;
      res.on('close', () => {
        if (!counted) return;
        this.#inflight -= 1;
        if (this.#inflight === 0) this.#drained?.();
      });
      this.#handle(req, res).catch((error: unknown) => {
        deps.log(`request ${req.method} ${req.url?.split('?')[0]} failed: ${(error as Error).message}`);
        sendRpcError(res, 500, 'Internal error in Portico; see its log.');
      });
    });
    this.#server.keepAliveTimeout = 65_000;
  }

  get port(): number {
    return this.#port;
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') {
          reject(
            new Error(
              `Port ${port} on ${host} is already in use by another program. Pass --port N (or --port 0 for a free one), or set PORTICO_PORT.`,
            ),
          );
        } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
          reject(
            new Error(
              `Cannot listen on host "${host}": it is not an address of this machine. The default is 127.0.0.1.`,
            ),
          );
        } else reject(error);
      };
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        const address = this.#server.address() as AddressInfo;
        this.#port = address.port;
        this.#web = new WebSessions(address.port);
        this.#directory?.start();
        resolve({ host, port: address.port });
      });
    });
  }

  /** A one-time sign-in link for the web UI (printed by `portico serve`, asked for by `portico ui`). */
  loginLink(): string {
    return loginLink(this.#uiDeps());
  }

  /** Closes the web sessions opened with keys that are gone or revoked. */
  closeWebSessions(alive: (keyId: string) => boolean): void {
    this.#web?.closeForKeys(alive);
  }

  #uiDeps(): UiApiDeps {
    if (!this.#web) throw new Error('the server is not listening yet');
    return {
      store: this.deps.store,
      registry: this.deps.registry,
      services: this.deps.services,
      sessions: this.#web,
      live: this.deps.live,
      url: () => externalUrl(this.deps.services.server()) ?? `http://127.0.0.1:${this.#port}`,
    };
  }

  /**
   * Readiness, for a load balancer: 200 while this server takes requests and its database answers
   * (one small query, at most 2 s); 503 with the reason while draining or when the database does not.
   */
  async #ready(res: ServerResponse): Promise<void> {
    if (this.#draining) return sendJson(res, 503, { ready: false, reason: 'draining: shutting down' });
    const database = this.deps.store.database;
    if (!database) return sendJson(res, 200, { ready: true, database: 'none' });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        database.db.selectFrom('settings').select('key').limit(1).execute(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 2 s')), 2_000);
        }),
      ]);
      sendJson(res, 200, { ready: true, database: database.engine });
    } catch (error) {
      sendJson(res, 503, {
        ready: false,
        reason: `the database does not answer: ${redact(error instanceof Error ? error.message : String(error))}`,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops accepting, lets in-flight calls finish (up to `graceMs`), then closes sessions. */
  async close(graceMs = 5_000): Promise<void> {
    this.#draining = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#inflight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => {
          this.#drained = resolve;
        }),
        new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
      ]);
    }
    await Promise.all([this.hubs.admin.closeAll(), this.hubs.gateway.closeAll()]);
    await this.#directory?.stop();
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://portico.invalid');
    } catch {
      // A request target like `//[x` or `//a:99999/` is no URL at all: the client's error, not ours.
      sendRpcError(res, 400, 'Bad Request: the request target is not a valid URL path.');
      return;
    }
    const guard = checkHostAndOrigin(req, this.#port, this.deps.access);
    if (!guard.ok) {
      sendRpcError(res, 403, guard.message);
      return;
    }
    const path = url.pathname;
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok', version: VERSION, planes: this.deps.planes() });
      return;
    }
    if (path === '/readyz') return this.#ready(res);
    if (path === '/mcp/admin' || path === '/mcp/admin/') return this.#plane('admin', req, res, url);
    if (path === '/mcp/gateway' || path === '/mcp/gateway/') return this.#plane('gateway', req, res, url);
    if (path === '/oauth/callback')
      return handleOAuthCallback(req, res, url, this.deps.registry, this.deps.services);
    if (path.startsWith('/api/')) return this.#api(req, res, url);
    if (path.startsWith('/mcp')) {
      sendRpcError(
        res,
        404,
        `No endpoint ${path}. The endpoints are /mcp/admin and /mcp/gateway?customer_id=ID.`,
      );
      return;
    }
    const database = this.#oauthDatabase();
    if (database && (await handleOAuthRoute(req, res, url, database, this.#base(req), this.#oidc?.issuer)))
      return;
    if (OAUTH_PATH.test(path)) return this.#oauthNotFound(req, res, url);
    // The page and its files; any other path is a JSON 404, never the page.
    await serveStatic(this.deps.staticDir, req, path, res);
  }

  /** The request's key, or why it was refused: the one wording of Portico's 401 (`Unauthorized: WHY. HELP`). */
  #checkKey(req: IncomingMessage, url: URL): KeyCheckResult {
    const refused = (why: string, challenge: string) => ({
      ok: false as const,
      why,
      message: `Unauthorized: ${why}. ${KEY_HELP}`,
      challenge,
    });
    const presented = presentedKey(req, url);
    if (!presented) return refused('no API key', 'Bearer realm="portico"');
    const check = verifyApiKey(presented, this.deps.store.data.apiKeys);
    if (check.ok) return check;
    const why =
      check.reason === 'revoked'
        ? 'this API key was revoked. Create a new one with `portico keys create`'
        : check.reason === 'malformed'
          ? 'that is not a Portico API key (they look like ptc_XXXXXXXX_…)'
          : 'unknown API key';
    return refused(why, 'Bearer realm="portico", error="invalid_token"');
  }

  /** The database behind OAuth for MCP clients, when that is on. */
  #oauthDatabase() {
    return this.deps.oauth || this.#oidc ? (this.deps.store.database ?? undefined) : undefined;
  }

  /** This server's URL as the request knows it: the public URL, else the (checked) Host it named. */
  #base(req: IncomingMessage): string {
    return requestBase(this.deps.services.server()?.publicUrl, req.headers.host);
  }

  /** A plane's 401 challenge: with OAuth on, where its Protected Resource Metadata is (RFC 9728 §5.1). */
  #challenge(challenge: string, req: IncomingMessage, plane: PlaneName | undefined): string {
    if (!plane || !this.#oauthDatabase()) return challenge;
    return `${challenge}, resource_metadata="${resourceMetadataUrl(this.#base(req), plane)}"`;
  }

  /**
   * #checkKey, and once more after reading other replicas' newest commits when it fails: a key made
   * on another replica a moment ago may not be known here yet. (A check hashes the key: a known key
   * is checked once.)
   */
  async #checkKeyCaughtUp(req: IncomingMessage, url: URL): Promise<KeyCheckResult> {
    const check = this.#checkKey(req, url);
    if (check.ok) return check;
    await this.deps.store.catchUpIfShared();
    return this.#checkKey(req, url);
  }

  /** A request's key, checked (#checkKeyCaughtUp); on failure answers 401 and returns undefined. */
  #authenticate(
    req: IncomingMessage,
    res: ServerResponse,
    check: KeyCheckResult,
    plane?: PlaneName,
  ): ApiKey | undefined {
    if (!check.ok) {
      sendRpcError(res, 401, check.message, {
        headers: { 'www-authenticate': this.#challenge(check.challenge, req, plane) },
      });
      return undefined;
    }
    this.deps.services.keyUsage.touch(check.key.id);
    return check.key;
  }

  /**
   * OAuth discovery and registration (`/.well-known/oauth-…`, `/register`, `/token`…): a client
   * tries them after a 401. Portico takes API keys, not OAuth, so they are a JSON 404 that
   * repeats why the key was refused and how to pass one — a client that gives up on OAuth
   * shows this body, not the 401's. (Without the word "Unauthorized": mcp-remote reads an error
   * containing it as "sign in with OAuth" and waits for a browser.)
   */
  #oauthNotFound(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const check = this.#checkKey(req, url);
    const key = check.ok
      ? 'The API key this request carries is valid: send it to /mcp/admin or /mcp/gateway?customer_id=ID.'
      : presentedKey(req, url)
        ? `Portico refused the key this request carries: ${check.why}. ${KEY_HELP}`
        : `A 401 from /mcp/admin or /mcp/gateway means the API key was missing, unknown or revoked. ${KEY_HELP}`;
    const oauth = this.#oidc
      ? `MCP clients sign in with ${this.#oidc.issuer} (see ${this.#base(req)}/.well-known/oauth-protected-resource/mcp/admin), or authenticate with a Portico API key.`
      : this.#oauthDatabase()
        ? `Portico's OAuth endpoints are listed at ${this.#base(req)}/.well-known/oauth-authorization-server; clients may also authenticate with a Portico API key.`
        : 'Portico does not use OAuth for MCP clients; they authenticate with a Portico API key.';
    sendJson(res, 404, { error: 'not_found', message: `Not found: ${url.pathname}. ${oauth} ${key}` });
  }

  /**
   * A plane request's caller: with OAuth on, its bearer token (oauth-principal.ts); otherwise, or
   * for a key, an API key. On failure answers 401 and returns undefined.
   */
  async #principal(
    plane: PlaneName,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<Principal | undefined> {
    const database = this.#oauthDatabase();
    const token = database
      ? await oauthPrincipal(req, plane, this.#base(req), { database, oidc: this.#oidc })
      : undefined;
    if (token?.ok) {
      this.deps.services.keyUsage.touch(token.principal.id);
      return token.principal;
    }
    if (token) {
      const challenge = this.#challenge('Bearer realm="portico", error="invalid_token"', req, plane);
      sendRpcError(res, 401, token.message, { headers: { 'www-authenticate': challenge } });
      return undefined;
    }
    const key = this.#authenticate(req, res, await this.#checkKeyCaughtUp(req, url), plane);
    return key && { id: key.id, scope: key.scope, customers: key.customers };
  }

  /** The CLI's local credential, compared in constant time; never accepted from a browser page. */
  #isLocalCaller(req: IncomingMessage): boolean {
    const presented = req.headers[LOCAL_CREDENTIAL_HEADER];
    if (typeof presented !== 'string' || req.headers.origin !== undefined) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(this.deps.localCredential);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async #plane(plane: PlaneName, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'POST' && req.method !== 'GET' && req.method !== 'DELETE') {
      sendRpcError(res, 405, `Method ${req.method} not allowed: use POST, GET or DELETE.`, {
        headers: { allow: 'POST, GET, DELETE' },
      });
      return;
    }
    const key = await this.#principal(plane, req, res, url);
    if (!key) return;
    if (key.scope !== plane) {
      const endpoint = plane === 'admin' ? '/mcp/admin' : '/mcp/gateway';
      sendRpcError(
        res,
        403,
        `Forbidden: this API key has scope "${key.scope}" and cannot open ${endpoint}. Use a key with scope "${plane}" (portico keys create --scope ${plane}).`,
      );
      return;
    }
    if (!this.deps.planes()[plane]) {
      sendRpcError(res, 503, PLANE_OFF[plane], { headers: { 'retry-after': '5' } });
      return;
    }
    let customerId: string | undefined;
    if (plane === 'gateway') {
      customerId = url.searchParams.get('customer_id') ?? url.searchParams.get('endOrgId') ?? undefined;
      if (!customerId) {
        sendRpcError(
          res,
          400,
          'Bad Request: name the customer: /mcp/gateway?customer_id=CUSTOMER_ID (endOrgId=… works too).',
        );
        return;
      }
      if (key.customers && !key.customers.includes(customerId)) {
        sendRpcError(
          res,
          403,
          `Forbidden: this API key is restricted to other customers and cannot open customer "${customerId}".`,
        );
        return;
      }
      if (!this.deps.store.data.customers[customerId]) await this.deps.store.catchUpIfShared();
      if (!this.deps.store.data.customers[customerId]) {
        sendRpcError(
          res,
          404,
          `Unknown customer "${customerId}". Create it with the admin tool create_customer, or check the customer_id.`,
        );
        return;
      }
    }
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJsonBody(req, this.deps.store.data.settings.bodyLimitBytes);
      if (!read.ok) {
        sendRpcError(res, read.status, read.message, { code: read.code });
        return;
      }
      body = read.value;
      // Checked on the raw message: past this door a parser may drop such a key without a word.
      const proto = protoKeyPath(body);
      if (proto) {
        const raw = body && typeof body === 'object' && 'id' in body ? body.id : null;
        const id = typeof raw === 'string' || typeof raw === 'number' ? raw : null;
        // A request gets its JSON-RPC error as its answer (the client shows the message); anything else a 400.
        sendRpcError(res, id === null ? 400 : 200, `Invalid params: ${protoKeyMessage(proto)}`, {
          code: RPC.invalidParams,
          id,
        });
        return;
      }
      if (customerId && this.#rateLimited(res, body, key.id, customerId)) return;
    }
    await this.hubs[plane].handle(req, res, body, { keyId: key.id, customerId });
  }

  /**
   * Rate limits before JSON-RPC dispatch (rule: RateLimiter.refuseBeforeDispatch): only a POST
   * carrying a tools/call, for a key or customer with limits, whose client kept calling after its
   * `isError` retry answers — 429 with Retry-After and a JSON-RPC error. Without limits this costs
   * two record lookups. Answers and returns true when refused.
   */
  #rateLimited(res: ServerResponse, body: unknown, keyId: string, customerId: string): boolean {
    const subjects = this.deps.gateway.limitSubjects(customerId, keyId);
    if (!subjects) return false;
    const messages = Array.isArray(body) ? body : [body];
    const call = messages.find(
      (m): m is { method: string; id?: unknown } =>
        typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'tools/call',
    );
    if (!call) return false;
    const wait = this.deps.gateway.limits.refuseBeforeDispatch(subjects);
    if (!wait) return false;
    const limited = subjects
      .filter((s) => s.limits?.callsPerMinute)
      .map((s) => `${s.limits?.callsPerMinute} calls per minute for ${s.kind} ${s.id}`)
      .join(' and ');
    const id = typeof call.id === 'string' || typeof call.id === 'number' ? call.id : null;
    sendRpcError(res, 429, `Too Many Requests: rate limit of ${limited}. Retry in ${wait} s.`, {
      id: Array.isArray(body) ? null : id,
      headers: { 'retry-after': String(wait) },
    });
    return true;
  }

  /**
   * `/api/…`: the admin registry for the web UI (a signed-in browser: cookie, plus the CSRF token
   * on every state-changing call), scripts (an admin key) and the CLI (the local credential); the
   * UI's sign-in and event stream; and the connect page (a connect link's token, nothing more).
   */
  async #api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const ui = this.#uiDeps();
    if (url.pathname === '/api/connect' || url.pathname === '/api/connect/oauth')
      return handleConnect(ui, req, res, url);
    if (url.pathname === '/api/session') return handleSession(ui, req, res);
    let caller: Caller;
    const session = ui.sessions.fromRequest(req);
    const local = this.#isLocalCaller(req);
    if (local) caller = { entryPoint: 'cli' };
    else if (session && !presentedKey(req, url)) {
      if (req.method !== 'GET' && req.method !== 'HEAD' && !ui.sessions.checkCsrf(req, session)) {
        sendJson(res, 403, {
          ok: false,
          error: 'This request needs the page’s CSRF token (X-CSRF-Token); reload the page and try again.',
        });
        return;
      }
      caller = { entryPoint: 'api', pageView: true, ...(session.keyId ? { keyId: session.keyId } : {}) };
    } else {
      const key = this.#authenticate(req, res, await this.#checkKeyCaughtUp(req, url));
      if (!key) return;
      if (key.scope !== 'admin') {
        sendJson(res, 403, { ok: false, error: 'The UI API needs an admin key.' });
        return;
      }
      caller = { entryPoint: 'api', keyId: key.id };
    }
    if (url.pathname === '/api/events') return handleEvents(ui, req, res, session);
    if (url.pathname === '/api/login-link') {
      if (!local || req.method !== 'POST') {
        sendJson(res, 403, {
          ok: false,
          error: 'Sign-in links are minted for `portico ui` on this machine only.',
        });
        return;
      }
      sendJson(res, 200, { ok: true, value: { url: this.loginLink() } });
      return;
    }
    const tool = /^\/api\/tools\/([a-z_]+)$/.exec(url.pathname)?.[1];
    if (url.pathname === '/api/tools' && req.method === 'GET') {
      sendJson(res, 200, { ok: true, value: { tools: this.deps.registry.list() } });
      return;
    }
    if (tool && req.method === 'POST') {
      const read = await readJsonBody(
        req,
        this.deps.registry.inputLimit(tool, this.deps.store.data.settings.bodyLimitBytes),
      );
      if (!read.ok) {
        sendJson(res, read.status, { ok: false, error: read.message });
        return;
      }
      // A page that wants to show a long call's progress names it; the steps go out on /api/events.
      const progressId = req.headers['x-progress-id'];
      if (typeof progressId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(progressId))
        caller.onProgress = (progress) => this.deps.live.progress(progressId, progress);
      const result = await this.deps.registry.call(tool, read.value, this.deps.services, caller);
      sendJson(res, result.ok ? 200 : 400, result);
      return;
    }
    sendJson(res, 404, {
      ok: false,
      error: `No API endpoint ${req.method} ${url.pathname}. Use POST /api/tools/TOOL_NAME.`,
    });
  }
}
