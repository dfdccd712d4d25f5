import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { type Endpoint, type EndpointTarget, resolveEndpoint } from './endpoint';
import { connectFailure, NO_KEY, rpcError } from './error-replies';
import { classify, networkFailure, UpstreamFailure } from './upstream-failure';
import { type Link, type Opened, openLink } from './upstream-link';

const MAX_BACKOFF_MS = 10_000;

export interface BridgeOptions extends EndpointTarget {
  /** From env PORTICO_API_KEY only: argv is visible to other local programs. */
  key?: string;
  log: (line: string) => void;
}

/** What the session needs from the relay around it. */
export interface SessionHooks {
  log: (line: string) => void;
  toClient: (message: JSONRPCMessage) => void;
  /** A message from the live upstream session for the client. */
  fromUpstream: (link: Link, message: JSONRPCMessage) => void;
  /** `link` is lost: the requests still in flight on it must be answered with an error. */
  linkLost: (link: Link) => void;
}

/**
 * The bridge's one upstream MCP session and its replacement when the gateway restarts: the
 * client's initialize is kept and replayed, so the client never sees the restart except as
 * list_changed notifications. At most one (re)connection runs at a time (`#connecting`), and
 * everything that needs a link waits for it.
 */
export class UpstreamSession {
  readonly #opts: BridgeOptions;
  readonly #hooks: SessionHooks;
  /** The client's own initialize request: replayed when the gateway restarts. */
  #init?: JSONRPCRequest;
  #clientInitialized = false;
  #link?: Link;
  #connecting?: Promise<Link>;
  #lastGoodBase?: string;
  #reinitCount = 0;
  #retryTimer?: NodeJS.Timeout;
  #closed = false;

  constructor(opts: BridgeOptions, hooks: SessionHooks) {
    this.#opts = opts;
    this.#hooks = hooks;
  }

  /** The client sent notifications/initialized: a replacement session must send it too. */
  markClientInitialized(): void {
    this.#clientInitialized = true;
  }

  #open(init: JSONRPCRequest, id: RequestId, endpoint: Endpoint): Promise<Opened> {
    return openLink(init, id, endpoint, {
      key: this.#opts.key,
      onMessage: (link, message) => this.#hooks.fromUpstream(link, message),
      onError: (link, error) => this.#upstreamError(link, error),
    });
  }

  /** The client's initialize: opens the first session and answers the client with the gateway's own response. */
  async initialize(request: JSONRPCRequest): Promise<void> {
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
      this.#hooks.toClient(rpcError(request.id, ErrorCode.InvalidRequest, NO_KEY));
      return;
    }
    const endpoint = resolveEndpoint(this.#opts, this.#lastGoodBase);
    const attempt = this.#open(request, request.id, endpoint);
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
        this.#hooks.log(`connected to ${endpoint.url.href}`);
      }
      this.#hooks.toClient(response);
    } catch (error) {
      const failure = connectFailure(this.#opts.dataDir, error, endpoint);
      this.#hooks.log(failure.message);
      this.#hooks.toClient(rpcError(request.id, failure.code, failure.message));
    } finally {
      if (this.#connecting === connecting) this.#connecting = undefined;
    }
  }

  /** The live link, waiting for a (re)connection under way, or re-initializing now. */
  async liveLink(): Promise<Link> {
    if (this.#connecting) return this.#connecting;
    if (this.#link && !this.#link.dead) return this.#link;
    return this.reconnect();
  }

  /** Re-initializes upstream with the client's original initialize parameters. */
  reconnect(): Promise<Link> {
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
      const endpoint = resolveEndpoint(this.#opts, this.#lastGoodBase);
      this.#reinitCount += 1;
      const id = `portico-bridge-reinitialize-${this.#reinitCount}`;
      let opened: Opened;
      try {
        opened = await this.#open(init, id, endpoint);
      } catch (error) {
        throw connectFailure(this.#opts.dataDir, error, endpoint);
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
            throw connectFailure(this.#opts.dataDir, error, endpoint);
          });
      }
      this.#link = link;
      this.#lastGoodBase = endpoint.url.origin;
      this.#hooks.log(`reconnected to ${endpoint.url.href} (new session)`);
      // Whatever changed while it was away: tell the client to list again.
      const caps = link.capabilities ?? {};
      if (this.#clientInitialized) {
        const { toClient } = this.#hooks;
        if (caps.tools?.listChanged) toClient({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
        if (caps.prompts?.listChanged)
          toClient({ jsonrpc: '2.0', method: 'notifications/prompts/list_changed' });
        if (caps.resources?.listChanged)
          toClient({ jsonrpc: '2.0', method: 'notifications/resources/list_changed' });
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

  #upstreamError(link: Link, error: Error): void {
    if (link.dead || this.#closed) return;
    const text = error.message;
    // The standalone GET stream ended or could not be opened again: the session is gone
    // (the gateway stopped or restarted, or closed the session).
    const streamGone =
      /Maximum reconnection attempts/.test(text) ||
      (error instanceof StreamableHTTPError && /Failed to open SSE stream/.test(text));
    if (streamGone) {
      this.linkLost(link, 'the event stream from Portico closed');
      return;
    }
    if (/SSE stream disconnected/.test(text)) return; // followed by the stream's own end
    if (error instanceof StreamableHTTPError || networkFailure(error)) return; // surfaced by the failing send
    this.#hooks.log(`upstream: ${text}`);
  }

  /** Marks a session lost: its in-flight requests fail, and re-joining starts in the background. */
  linkLost(link: Link, reason: string): void {
    if (link.dead) return;
    link.dead = true;
    if (this.#link === link) this.#link = undefined;
    void link.transport.close().catch(() => {});
    this.#hooks.linkLost(link);
    this.#hooks.log(`lost the session at ${link.endpoint.url.href} (${reason}); reconnecting`);
    this.#scheduleReconnect(0);
  }

  /** Re-joins in the background, backing off while the gateway is down, so notifications resume. */
  #scheduleReconnect(attempt: number): void {
    if (this.#closed || this.#retryTimer || !this.#init) return;
    const delay = Math.min(250 * 2 ** attempt, MAX_BACKOFF_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#closed || (this.#link && !this.#link.dead)) return;
      this.reconnect().catch((error: unknown) => {
        const failure = classify(error);
        const transient =
          failure.kind === 'unreachable' ||
          failure.kind === 'dropped' ||
          failure.kind === 'session-gone' ||
          failure.status === 503;
        if (transient) this.#scheduleReconnect(attempt + 1);
        else this.#hooks.log(`not reconnecting: ${failure.message}`);
      });
    }, delay);
    this.#retryTimer.unref();
  }

  /** Ends the upstream session politely (DELETE), but never waits more than a second for it. */
  async close(): Promise<void> {
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
  }
}
