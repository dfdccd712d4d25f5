import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  ErrorCode,
  type InitializeResult,
  isInitializedNotification,
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { dataPaths } from '../core/paths';
import { readServerInfo } from '../core/server/server-info';
import { type CliIO, UsageError } from './output';

/**
 * `portico bridge`: an MCP stdio server that forwards every JSON-RPC message, both ways, to a
 * Portico plane over Streamable HTTP. Claude Desktop (stdio only) runs it. Messages are relayed
 * transport to transport — no tool is re-implemented here — and a restarted gateway is re-joined
 * transparently with the client's original initialize parameters.
 */

const DEFAULT_BASE = 'http://127.0.0.1:7430';
const INIT_TIMEOUT_MS = 30_000;
const MAX_BACKOFF_MS = 10_000;

interface BridgeOptions {
  dataDir: string;
  plane: 'admin' | 'gateway';
  customer?: string;
  url?: string;
  key?: string;
  log: (line: string) => void;
}

interface Endpoint {
  url: URL;
  /** Where the address came from, for the "not running" message. */
  source: string;
}

interface Link {
  transport: StreamableHTTPClientTransport;
  endpoint: Endpoint;
  dead: boolean;
  /** Responses the bridge itself waits for (initialize), by request id. */
  waiters: Map<RequestId, (message: JSONRPCMessage) => void>;
  capabilities?: InitializeResult['capabilities'];
}

interface Opened {
  link: Link;
  response: JSONRPCMessage;
}

/**
 * unreachable: no connection could be made, so nothing was delivered (safe to replay);
 * dropped: the connection broke, maybe after the request arrived (not replayed);
 * session-gone: the gateway no longer knows the session (it restarted; safe to replay);
 * refused: the gateway answered with an HTTP error (bad key, plane off, unknown customer).
 */
type FailureKind = 'unreachable' | 'dropped' | 'session-gone' | 'refused' | 'other';

class UpstreamFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly code: number = ErrorCode.ConnectionClosed,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Errors that mean the connection was never made. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Errors that mean an established connection broke. */
const DROP_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function networkFailure(error: unknown): 'unreachable' | 'dropped' | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = (error as { cause?: { code?: string; cause?: { code?: string } } }).cause;
  const code = cause?.code ?? cause?.cause?.code;
  if (code && CONNECT_CODES.has(code)) return 'unreachable';
  if (code && DROP_CODES.has(code)) return 'dropped';
  if (error instanceof TypeError && /fetch failed|terminated|other side closed/i.test(error.message))
    return 'dropped';
  return undefined;
}

/** The JSON-RPC error a Portico endpoint answered with, out of the SDK's error text. */
function serverError(text: string): { code?: number; message: string } | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const body = JSON.parse(text.slice(start)) as { error?: { code?: number; message?: string } };
    if (typeof body.error?.message === 'string')
      return { code: body.error.code, message: body.error.message };
  } catch {
    // not JSON: fall through
  }
  return undefined;
}

function classify(error: unknown): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  if (error instanceof StreamableHTTPError) {
    const parsed = serverError(error.message);
    const status = error.code;
    if (status === 404 && /session not found/i.test(error.message)) {
      return new UpstreamFailure('session-gone', parsed?.message ?? error.message, undefined, status);
    }
    return new UpstreamFailure(
      'refused',
      parsed?.message ?? `Portico answered HTTP ${status}: ${error.message}`,
      parsed?.code ?? ErrorCode.ConnectionClosed,
      status,
    );
  }
  const network = networkFailure(error);
  if (network) return new UpstreamFailure(network, (error as Error).message);
  return new UpstreamFailure('other', (error as Error)?.message ?? String(error));
}

/** The configured host and port of the data dir's workspace, when it has one. */
function configuredBase(dataDir: string): string | undefined {
  try {
    const doc = JSON.parse(readFileSync(dataPaths(dataDir).workspace, 'utf8')) as {
      settings?: { host?: unknown; port?: unknown };
    };
    const host = typeof doc.settings?.host === 'string' ? doc.settings.host : '127.0.0.1';
    const port = typeof doc.settings?.port === 'number' && doc.settings.port > 0 ? doc.settings.port : 7430;
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${port}`;
  } catch {
    return undefined;
  }
}

const IN_FLIGHT_LOST =
  'The connection to Portico was lost while this request was in flight (the gateway stopped or restarted). ' +
  'It was not retried because it may already have run; try again.';

const rpcError = (id: RequestId, code: number, message: string): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
});

class Bridge {
  readonly #opts: BridgeOptions;
  readonly #down = new StdioServerTransport();
  /** The client's own initialize request: replayed when the gateway restarts. */
  #init?: JSONRPCRequest;
  #clientInitialized = false;
  #link?: Link;
  #connecting?: Promise<Link>;
  /** Client requests sent upstream and not answered yet, with the link they went out on. */
  readonly #pending = new Map<RequestId, Link>();
  /** Messages from the client are taken in order (through any reconnection); their HTTP exchanges then run side by side. */
  #queue: Promise<void> = Promise.resolve();
  #lastGoodBase?: string;
  #reinitCount = 0;
  #retryTimer?: NodeJS.Timeout;
  #closed = false;

  constructor(opts: BridgeOptions) {
    this.#opts = opts;
  }

  run(): Promise<number> {
    return new Promise((resolve) => {
      const end = () => {
        void this.#shutdown().then(() => resolve(0));
      };
      this.#down.onmessage = (message) => {
        this.#queue = this.#queue
          .then(() => this.#fromClient(message))
          .catch((error: unknown) => this.#log(`relaying a message failed: ${(error as Error).message}`));
      };
      this.#down.onerror = (error) => this.#log(`stdin: ${error.message}`);
      process.stdin.once('end', end);
      process.stdin.once('close', end);
      process.stdout.on('error', end);
      process.once('SIGTERM', end);
      process.once('SIGINT', end);
      void this.#down.start();
    });
  }

  #log(line: string): void {
    this.#opts.log(`portico bridge: ${line}`);
  }

  #toClient(message: JSONRPCMessage): void {
    if (this.#closed) return;
    this.#down.send(message).catch((error: unknown) => this.#log(`stdout: ${(error as Error).message}`));
  }

  /** Where the plane is: --url, else the running server of the data dir, else the last place that answered, else the configured or default address. */
  #resolve(): Endpoint {
    const { dataDir, url } = this.#opts;
    let base: string;
    let source: string;
    if (url) {
      base = url;
      source = 'the address given with --url';
    } else {
      const running = readServerInfo(dataDir)?.url;
      if (running) {
        base = running;
        source = `the server running for data dir ${dataDir}`;
      } else if (this.#lastGoodBase) {
        base = this.#lastGoodBase;
        source = `no server is running for data dir ${dataDir} now; this is where it last answered`;
      } else {
        const configured = configuredBase(dataDir);
        base = configured ?? DEFAULT_BASE;
        source = `no server is running for data dir ${dataDir}; this is the ${configured ? 'configured' : 'default'} address`;
      }
    }
    const endpoint = new URL(base);
    if (endpoint.pathname === '/' || endpoint.pathname === '') {
      endpoint.pathname = this.#opts.plane === 'admin' ? '/mcp/admin' : '/mcp/gateway';
    }
    const { customer } = this.#opts;
    if (
      this.#opts.plane === 'gateway' &&
      customer &&
      !endpoint.searchParams.has('customer_id') &&
      !endpoint.searchParams.has('endOrgId')
    ) {
      endpoint.searchParams.set('customer_id', customer);
    }
    return { url: endpoint, source };
  }

  #notRunningMessage(endpoint: Endpoint): string {
    const serve = `portico serve --data-dir ${JSON.stringify(this.#opts.dataDir)}`;
    return (
      `Portico is not running: nothing answered at ${endpoint.url.href} (${endpoint.source}). ` +
      `Start Portico — open the Portico app (\`npm start\` in the Portico folder) or run \`${serve}\` — then reconnect this MCP server.`
    );
  }

  #failureMessage(failure: UpstreamFailure, endpoint?: Endpoint): string {
    if (failure.kind === 'unreachable' && endpoint) return this.#notRunningMessage(endpoint);
    if (failure.kind === 'dropped') return IN_FLIGHT_LOST;
    if (failure.status === 401) {
      return (
        `Portico rejected the key in PORTICO_API_KEY (${failure.message}) ` +
        'Write a fresh entry with `portico clients add claude-desktop --plane …`, or put a live key in this server\'s "env".'
      );
    }
    return failure.message;
  }

  /** Why opening a session failed, worded for the client: a broken connection then means the gateway is not there. */
  #connectFailure(error: unknown, endpoint: Endpoint): UpstreamFailure {
    const failure = classify(error);
    const kind = failure.kind === 'dropped' ? 'unreachable' : failure.kind;
    const message = this.#failureMessage(
      new UpstreamFailure(kind, failure.message, failure.code, failure.status),
      endpoint,
    );
    return new UpstreamFailure(kind, message, failure.code, failure.status);
  }

  /** Opens a session: a fresh transport, the initialize request under `id`, its response. */
  async #openLink(init: JSONRPCRequest, id: RequestId, endpoint: Endpoint): Promise<Opened> {
    const transport = new StreamableHTTPClientTransport(endpoint.url, {
      requestInit: { headers: { Authorization: `Bearer ${this.#opts.key ?? ''}` } },
      // The standalone stream is not resumed by the SDK: when it ends the session is gone, and
      // the bridge re-initializes instead (see #upstreamError).
      reconnectionOptions: {
        maxRetries: 0,
        initialReconnectionDelay: 1_000,
        maxReconnectionDelay: 1_000,
        reconnectionDelayGrowFactor: 1,
      },
    });
    const link: Link = { transport, endpoint, dead: false, waiters: new Map() };
    transport.onmessage = (message) => this.#fromUpstream(link, message);
    transport.onerror = (error) => this.#upstreamError(link, error);
    await transport.start();
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<JSONRPCMessage>((resolve, reject) => {
      link.waiters.set(id, resolve);
      timer = setTimeout(
        () =>
          reject(
            new UpstreamFailure(
              'other',
              `Portico did not answer initialize within ${INIT_TIMEOUT_MS / 1000} s.`,
            ),
          ),
        INIT_TIMEOUT_MS,
      );
    });
    try {
      await transport.send({ ...init, id });
      const response = await answered;
      if (isJSONRPCResultResponse(response)) {
        const result = response.result as InitializeResult;
        transport.setProtocolVersion(result.protocolVersion);
        link.capabilities = result.capabilities;
      }
      return { link, response };
    } catch (error) {
      link.dead = true;
      await transport.close().catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
      link.waiters.delete(id);
    }
  }

  async #fromClient(message: JSONRPCMessage): Promise<void> {
    if (isInitializeRequest(message)) return this.#initialize(message as JSONRPCRequest);
    if (isInitializedNotification(message)) {
      this.#clientInitialized = true;
      // Sent before anything else, as an SDK client does: the 202 comes at once.
      let link: Link;
      try {
        link = await this.#liveLink();
      } catch (error) {
        return this.#fail(message, classify(error));
      }
      return this.#forwardOn(link, message);
    }
    if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId !== undefined) this.#pending.delete(requestId);
    }
    // In order up to here (through any reconnection); the HTTP exchange itself runs on its own,
    // since a POST answered with JSON lasts as long as the call — a cancellation must not wait for it.
    let link: Link;
    try {
      link = await this.#liveLink();
    } catch (error) {
      return this.#fail(message, classify(error));
    }
    void this.#forwardOn(link, message);
  }

  async #initialize(request: JSONRPCRequest): Promise<void> {
    const old = this.#link;
    if (old) {
      // A client re-initializing starts over: its old upstream session ends.
      this.#link = undefined;
      old.dead = true;
      void old.transport
        .terminateSession()
        .catch(() => {})
        .finally(() => old.transport.close());
    }
    this.#init = request;
    this.#clientInitialized = false;
    if (!this.#opts.key) {
      this.#toClient(
        rpcError(
          request.id,
          ErrorCode.InvalidRequest,
          'PORTICO_API_KEY is not set: put a Portico API key in this MCP server\'s "env" (run `portico clients add claude-desktop --plane admin` to write the entry with a fresh key).',
        ),
      );
      return;
    }
    const endpoint = this.#resolve();
    const attempt = this.#openLink(request, request.id, endpoint);
    const connecting = attempt.then(({ link, response }) => {
      if (isJSONRPCErrorResponse(response)) throw new UpstreamFailure('refused', response.error.message);
      return link;
    });
    connecting.catch(() => {});
    this.#connecting = connecting;
    try {
      const { link, response } = await attempt;
      if (isJSONRPCErrorResponse(response)) {
        await link.transport.close().catch(() => {});
      } else {
        this.#link = link;
        this.#lastGoodBase = endpoint.url.origin;
        this.#log(`connected to ${endpoint.url.href}`);
      }
      this.#toClient(response);
    } catch (error) {
      const failure = this.#connectFailure(error, endpoint);
      this.#log(failure.message);
      this.#toClient(rpcError(request.id, failure.code, failure.message));
    } finally {
      if (this.#connecting === connecting) this.#connecting = undefined;
    }
  }

  /** The live link, waiting for a (re)connection under way, or re-initializing now. */
  async #liveLink(): Promise<Link> {
    if (this.#connecting) return this.#connecting;
    if (this.#link && !this.#link.dead) return this.#link;
    return this.#reconnect();
  }

  /** Re-initializes upstream with the client's original initialize parameters. */
  #reconnect(): Promise<Link> {
    if (this.#connecting) return this.#connecting;
    const init = this.#init;
    if (!init) {
      return Promise.reject(
        new UpstreamFailure(
          'other',
          'The MCP session is not initialized: send initialize first.',
          ErrorCode.InvalidRequest,
        ),
      );
    }
    const connecting = (async () => {
      const endpoint = this.#resolve();
      this.#reinitCount += 1;
      const id = `portico-bridge-reinitialize-${this.#reinitCount}`;
      let opened: Opened;
      try {
        opened = await this.#openLink(init, id, endpoint);
      } catch (error) {
        throw this.#connectFailure(error, endpoint);
      }
      const { link, response } = opened;
      if (isJSONRPCErrorResponse(response)) {
        await link.transport.close().catch(() => {});
        throw new UpstreamFailure('refused', response.error.message, response.error.code);
      }
      if (this.#clientInitialized) {
        await link.transport
          .send({ jsonrpc: '2.0', method: 'notifications/initialized' })
          .catch((error: unknown) => {
            link.dead = true;
            void link.transport.close().catch(() => {});
            throw this.#connectFailure(error, endpoint);
          });
      }
      this.#link = link;
      this.#lastGoodBase = endpoint.url.origin;
      this.#log(`reconnected to ${endpoint.url.href} (new session)`);
      // Whatever changed while it was away: tell the client to list again.
      const caps = link.capabilities ?? {};
      if (this.#clientInitialized) {
        if (caps.tools?.listChanged)
          this.#toClient({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
        if (caps.prompts?.listChanged)
          this.#toClient({ jsonrpc: '2.0', method: 'notifications/prompts/list_changed' });
        if (caps.resources?.listChanged)
          this.#toClient({ jsonrpc: '2.0', method: 'notifications/resources/list_changed' });
      }
      return link;
    })();
    connecting.catch(() => {});
    this.#connecting = connecting;
    void connecting.then(
      () => this.#clearConnecting(connecting),
      () => this.#clearConnecting(connecting),
    );
    return connecting;
  }

  #clearConnecting(connecting: Promise<Link>): void {
    if (this.#connecting === connecting) this.#connecting = undefined;
  }

  async #send(link: Link, message: JSONRPCMessage): Promise<UpstreamFailure | undefined> {
    const request = isJSONRPCRequest(message);
    if (request) this.#pending.set(message.id, link);
    try {
      await link.transport.send(message);
      return undefined;
    } catch (error) {
      if (request) this.#pending.delete(message.id);
      return classify(error);
    }
  }

  #fail(message: JSONRPCMessage, failure: UpstreamFailure): void {
    if (isJSONRPCRequest(message)) this.#toClient(rpcError(message.id, failure.code, failure.message));
    else
      this.#log(`could not relay a ${'method' in message ? message.method : 'response'}: ${failure.message}`);
  }

  /**
   * Relays one client message on `link`. A request that provably did not arrive (no connection,
   * or the session was unknown) is retried once on a new session; one whose connection broke
   * midway fails, since it may already have run. Never throws.
   */
  async #forwardOn(link: Link, message: JSONRPCMessage): Promise<void> {
    const failure = await this.#send(link, message);
    if (!failure) return;
    if (failure.kind === 'dropped') {
      this.#linkLost(link, failure.message);
      return this.#fail(message, new UpstreamFailure('dropped', IN_FLIGHT_LOST));
    }
    if (failure.kind !== 'session-gone' && failure.kind !== 'unreachable') {
      return this.#fail(
        message,
        new UpstreamFailure(failure.kind, this.#failureMessage(failure, link.endpoint), failure.code),
      );
    }
    this.#linkLost(link, failure.message);
    // Responses and notifications belong to the lost session; only requests are worth replaying.
    if (!isJSONRPCRequest(message)) return this.#fail(message, failure);
    let again: Link;
    try {
      again = await this.#reconnect();
    } catch (error) {
      return this.#fail(message, classify(error));
    }
    const retry = await this.#send(again, message);
    if (retry)
      this.#fail(
        message,
        new UpstreamFailure(retry.kind, this.#failureMessage(retry, again.endpoint), retry.code),
      );
  }

  #fromUpstream(link: Link, message: JSONRPCMessage): void {
    if (link.dead) return;
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      const waiter = link.waiters.get(message.id);
      if (waiter) {
        waiter(message);
        return;
      }
      this.#pending.delete(message.id);
    }
    this.#toClient(message);
  }

  #upstreamError(link: Link, error: Error): void {
    if (link.dead || this.#closed) return;
    const text = error.message;
    // The standalone GET stream ended or could not be opened again: the session is gone
    // (the gateway stopped or restarted, or closed the session).
    const streamGone =
      /Maximum reconnection attempts/.test(text) ||
      (error instanceof StreamableHTTPError && /Failed to open SSE stream/.test(text));
    if (streamGone) {
      this.#linkLost(link, 'the event stream from Portico closed');
      return;
    }
    if (/SSE stream disconnected/.test(text)) return; // followed by the stream's own end
    if (error instanceof StreamableHTTPError || networkFailure(error)) return; // surfaced by the failing send
    this.#log(`upstream: ${text}`);
  }

  /** Marks a session lost: its in-flight requests fail, and re-joining starts in the background. */
  #linkLost(link: Link, reason: string): void {
    if (link.dead) return;
    link.dead = true;
    if (this.#link === link) this.#link = undefined;
    void link.transport.close().catch(() => {});
    for (const [id, owner] of this.#pending) {
      if (owner !== link) continue;
      this.#pending.delete(id);
      this.#toClient(rpcError(id, ErrorCode.ConnectionClosed, IN_FLIGHT_LOST));
    }
    this.#log(`lost the session at ${link.endpoint.url.href} (${reason}); reconnecting`);
    this.#scheduleReconnect(0);
  }

  /** Re-joins in the background, backing off while the gateway is down, so notifications resume. */
  #scheduleReconnect(attempt: number): void {
    if (this.#closed || this.#retryTimer || !this.#init) return;
    const delay = Math.min(250 * 2 ** attempt, MAX_BACKOFF_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#closed || (this.#link && !this.#link.dead)) return;
      this.#reconnect().catch((error: unknown) => {
        const failure = classify(error);
        const transient =
          failure.kind === 'unreachable' ||
          failure.kind === 'dropped' ||
          failure.kind === 'session-gone' ||
          failure.status === 503;
        if (transient) this.#scheduleReconnect(attempt + 1);
        else this.#log(`not reconnecting: ${failure.message}`);
      });
    }, delay);
    this.#retryTimer.unref();
  }

  async #shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const link = this.#link;
    this.#link = undefined;
    if (link && !link.dead) {
      link.dead = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        link.transport.terminateSession().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 1_000);
        }),
      ]);
      clearTimeout(timer);
      await link.transport.close().catch(() => {});
    }
    await this.#down.close().catch(() => {});
  }
}

/** `portico bridge --plane admin|gateway [--customer ID] [--url URL]`; the key comes from env PORTICO_API_KEY only. */
export async function bridgeCommand(dataDir: string, argv: string[], io: CliIO): Promise<number> {
  const keyFlag = argv.find((a) => /^--(api-?)?key(=|$)/i.test(a));
  if (keyFlag) {
    throw new UsageError(
      `portico bridge does not take the key on the command line (${keyFlag.split('=')[0]}): arguments are visible to other programs. ` +
        'Set it in the environment instead: PORTICO_API_KEY=ptc_… portico bridge --plane …',
    );
  }
  const { values } = parseArgs({
    args: argv,
    options: { plane: { type: 'string' }, customer: { type: 'string' }, url: { type: 'string' } },
    strict: true,
  });
  const { plane, customer, url } = values;
  if (plane !== 'admin' && plane !== 'gateway') {
    throw new UsageError(
      'Usage: PORTICO_API_KEY=ptc_… portico bridge --plane admin|gateway [--customer ID] [--url URL]',
    );
  }
  if (plane === 'gateway' && !customer) {
    throw new UsageError('portico bridge --plane gateway needs --customer ID.');
  }
  if (plane === 'admin' && customer)
    throw new UsageError('The admin plane is not per customer: drop --customer.');
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new UsageError(`--url must be an http(s) URL, like ${DEFAULT_BASE}; got "${url}".`);
    }
  }
  // stdout carries the protocol only: anything a library prints goes to stderr.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const key = process.env.PORTICO_API_KEY?.trim() || undefined;
  if (!key) io.err('portico bridge: PORTICO_API_KEY is not set; initialize will fail until it is.');
  return new Bridge({ dataDir, plane, customer, url, key, log: (line) => io.err(line) }).run();
}
