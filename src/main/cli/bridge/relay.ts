import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  ErrorCode,
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
import { failureMessage, IN_FLIGHT_LOST, rpcError } from './error-replies';
import { classify, UpstreamFailure } from './upstream-failure';
import type { Link } from './upstream-link';
import { type BridgeOptions, UpstreamSession } from './upstream-session';

/**
 * The stdio side of `portico bridge`: takes the client's JSON-RPC messages in order and relays them
 * transport to transport — no tool is re-implemented here — over the UpstreamSession, which keeps a
 * live session to the gateway. It owns what only the relay knows: which requests are still waiting
 * for an answer, and on which session they went out.
 */
export class Bridge {
  readonly #opts: BridgeOptions;
  readonly #down = new StdioServerTransport();
  readonly #session: UpstreamSession;
  /** Client requests sent upstream and not answered yet, with the link they went out on. */
  readonly #pending = new Map<RequestId, Link>();
  /** Messages from the client are taken in order (through any reconnection); their HTTP exchanges then run side by side. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(opts: BridgeOptions) {
    this.#opts = opts;
    this.#session = new UpstreamSession(opts, {
      log: (line) => this.#log(line),
      toClient: (message) => this.#toClient(message),
      fromUpstream: (_link, message) => this.#fromUpstream(message),
      linkLost: (link) => this.#failPendingOn(link),
    });
  }

  /** Relays until stdin ends or a signal comes, then closes both sides; resolves with the exit code. */
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

  async #fromClient(message: JSONRPCMessage): Promise<void> {
    if (isInitializeRequest(message)) return this.#session.initialize(message as JSONRPCRequest);
    if (isInitializedNotification(message)) {
      this.#session.markClientInitialized();
      // Sent before anything else, as an SDK client does: the 202 comes at once.
      let link: Link;
      try {
        link = await this.#session.liveLink();
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
      link = await this.#session.liveLink();
    } catch (error) {
      return this.#fail(message, classify(error));
    }
    void this.#forwardOn(link, message);
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

  /** A request gets an error response; anything else has no one to answer, so it is only logged. */
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
    const { dataDir } = this.#opts;
    const failure = await this.#send(link, message);
    if (!failure) return;
    if (failure.kind === 'dropped') {
      this.#session.linkLost(link, failure.message);
      return this.#fail(message, new UpstreamFailure('dropped', IN_FLIGHT_LOST));
    }
    if (failure.kind !== 'session-gone' && failure.kind !== 'unreachable') {
      return this.#fail(
        message,
        new UpstreamFailure(failure.kind, failureMessage(dataDir, failure, link.endpoint), failure.code),
      );
    }
    this.#session.linkLost(link, failure.message);
    // Responses and notifications belong to the lost session; only requests are worth replaying.
    if (!isJSONRPCRequest(message)) return this.#fail(message, failure);
    let again: Link;
    try {
      again = await this.#session.reconnect();
    } catch (error) {
      return this.#fail(message, classify(error));
    }
    const retry = await this.#send(again, message);
    if (retry)
      this.#fail(
        message,
        new UpstreamFailure(retry.kind, failureMessage(dataDir, retry, again.endpoint), retry.code),
      );
  }

  #fromUpstream(message: JSONRPCMessage): void {
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      this.#pending.delete(message.id);
    }
    this.#toClient(message);
  }

  /** The session `link` was lost: what was sent on it will never be answered, so answer it here. */
  #failPendingOn(link: Link): void {
    for (const [id, owner] of this.#pending) {
      if (owner !== link) continue;
      this.#pending.delete(id);
      this.#toClient(rpcError(id, ErrorCode.ConnectionClosed, IN_FLIGHT_LOST));
    }
  }

  async #shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#session.close();
    await this.#down.close().catch(() => {});
  }
}
