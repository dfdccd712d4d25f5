import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type InitializeResult,
  isJSONRPCErrorResponse,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Endpoint } from './endpoint';
import { UpstreamFailure } from './upstream-failure';

const INIT_TIMEOUT_MS = 30_000;

/** One upstream MCP session: a transport, where it points, and whether it has been given up. */
export interface Link {
  transport: StreamableHTTPClientTransport;
  endpoint: Endpoint;
  dead: boolean;
  /** Responses the bridge itself waits for (initialize), by request id. */
  waiters: Map<RequestId, (message: JSONRPCMessage) => void>;
  capabilities?: InitializeResult['capabilities'];
}

export interface Opened {
  link: Link;
  response: JSONRPCMessage;
}

export interface LinkHandlers {
  /** The key for the Authorization header; empty lets the gateway answer 401 with its own message. */
  key?: string;
  /** Every message from a live link except the responses the bridge waits for itself. */
  onMessage: (link: Link, message: JSONRPCMessage) => void;
  onError: (link: Link, error: Error) => void;
}

/**
 * Opens a session: a fresh transport, the initialize request under `id`, its response. The bridge
 * sends the client's own initialize (not the SDK Client's), so the gateway sees the real client's
 * name, version and capabilities — and `id` lets a re-initialize not collide with the client's ids.
 */
export async function openLink(
  init: JSONRPCRequest,
  id: RequestId,
  endpoint: Endpoint,
  handlers: LinkHandlers,
): Promise<Opened> {
  const transport = new StreamableHTTPClientTransport(endpoint.url, {
    requestInit: { headers: { Authorization: `Bearer ${handlers.key ?? ''}` } },
    // The standalone stream is not resumed by the SDK: when it ends the session is gone, and
    // the bridge re-initializes instead (see UpstreamSession's upstream error handler).
    reconnectionOptions: {
      maxRetries: 0,
      initialReconnectionDelay: 1_000,
      maxReconnectionDelay: 1_000,
      reconnectionDelayGrowFactor: 1,
    },
  });
  const link: Link = { transport, endpoint, dead: false, waiters: new Map() };
  transport.onmessage = (message) => {
    // A link given up on may still deliver late messages; they belong to a session the client no longer has.
    if (link.dead) return;
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      const waiter = link.waiters.get(message.id);
      if (waiter) {
        waiter(message);
        return;
      }
    }
    handlers.onMessage(link, message);
  };
  transport.onerror = (error) => handlers.onError(link, error);
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
