import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { StoredSession } from './session-directory';

const RESTORE_URL = 'http://portico.invalid/mcp';
const HEADERS = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };

/**
 * Continues, on this replica, a session another replica opened: `transport` (made with
 * `sessionIdGenerator: () => stored.id`, its server already connected) is brought to the state
 * the client's own initialize left its first server in — without the client re-initializing.
 *
 * How: the stored initialize (protocol version, capabilities, client info) is replayed through
 * the SDK's own request path. That path sets what a session needs and nothing else:
 * the transport's session id and initialized flag (handlePostRequest), and the Server's client
 * capabilities and client info (Server._oninitialize), which decide e.g. whether an approval is
 * asked in the client (elicitation). Its answer is read and dropped; the client had its answer
 * from the first replica. Then the client's logging level, when it set one, and its resource
 * subscriptions are replayed the same way (with the session id, as the client would send them).
 *
 * The Node transport keeps its Web-standard transport in a private field; reaching it is the one
 * assumption here about the SDK's inside (checked, so an SDK that moves it fails loudly in the
 * tests rather than silently). Everything past it is the SDK's public `handleRequest`.
 */
export async function restoreSession(
  transport: StreamableHTTPServerTransport,
  stored: StoredSession,
): Promise<void> {
  const web = (transport as unknown as { _webStandardTransport?: WebStandardStreamableHTTPServerTransport })
    ._webStandardTransport;
  if (typeof web?.handleRequest !== 'function')
    throw new Error(
      'this MCP SDK version hides its Web-standard transport; sessions cannot move between replicas',
    );
  const post = async (message: Record<string, unknown>, headers: Record<string, string>) => {
    const response = await web.handleRequest(
      new Request(RESTORE_URL, {
        method: 'POST',
        headers: { ...HEADERS, ...headers },
        body: JSON.stringify(message),
      }),
      { parsedBody: message },
    );
    const text = await response.text();
    if (response.status >= 300 || /"error"\s*:/.test(text))
      throw new Error(
        `replaying ${String(message.method)} failed (${response.status}): ${text.slice(0, 200)}`,
      );
  };
  await post(
    {
      jsonrpc: '2.0',
      id: 'portico-restore-initialize',
      method: 'initialize',
      params: {
        protocolVersion: stored.protocolVersion,
        capabilities: stored.capabilities,
        clientInfo: stored.clientInfo,
      },
    },
    {},
  );
  if (transport.sessionId !== stored.id) throw new Error('the restored transport took another session id');
  const session = { 'mcp-session-id': stored.id, 'mcp-protocol-version': stored.protocolVersion };
  // Best effort: a level the plane does not take (no logging capability) was refused at first too.
  if (stored.loggingLevel)
    await post(
      {
        jsonrpc: '2.0',
        id: 'portico-restore-logging',
        method: 'logging/setLevel',
        params: { level: stored.loggingLevel },
      },
      session,
    ).catch(() => {});
  // Its subscriptions, so that resources/updated reaches it from here too (best effort, as above).
  for (const [i, uri] of stored.subscriptions.entries())
    await post(
      {
        jsonrpc: '2.0',
        id: `portico-restore-subscribe-${i}`,
        method: 'resources/subscribe',
        params: { uri },
      },
      session,
    ).catch(() => {});
}
