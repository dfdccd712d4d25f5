import { Agent, type IncomingMessage, request } from 'node:http';

/**
 * A lean Streamable HTTP MCP client over node:http with keep-alive: the same client drives
 * Portico, the bare SDK server and the peer bridge, so the client's own cost is equal for all.
 * It speaks the protocol as any client does (initialize, Mcp-Session-Id, JSON or SSE answers).
 */
export interface RpcMessage {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export interface HttpAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export function newAgent(maxSockets = 32): Agent {
  return new Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 30_000 });
}

/** One HTTP request on the agent; resolves with the whole body. */
export function httpRequest(
  agent: Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Parses the JSON-RPC messages of a JSON or SSE answer. */
export function parseMessages(answer: HttpAnswer): RpcMessage[] {
  const type = String(answer.headers['content-type'] ?? '');
  const text = answer.body.toString('utf8');
  if (type.includes('text/event-stream')) {
    const out: RpcMessage[] = [];
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) out.push(JSON.parse(data) as RpcMessage);
    }
    return out;
  }
  if (!text.trim()) return [];
  const parsed = JSON.parse(text) as RpcMessage | RpcMessage[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

export class McpHttpSession {
  sessionId: string | undefined;
  #nextId = 1;
  readonly #url: URL;
  readonly #headers: Record<string, string>;
  readonly agent: Agent;
  #stream: IncomingMessage | undefined;

  constructor(url: string, headers: Record<string, string> = {}, agent: Agent = newAgent()) {
    this.#url = new URL(url);
    this.#headers = headers;
    this.agent = agent;
  }

  #requestHeaders(): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(this.sessionId ? { 'mcp-session-id': this.sessionId, 'mcp-protocol-version': '2025-06-18' } : {}),
      ...this.#headers,
    };
  }

  async initialize(): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const answer = await httpRequest(
      this.agent,
      this.#url,
      'POST',
      this.#requestHeaders(),
      JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'portico-bench', version: '1' },
        },
      }),
    );
    if (answer.status !== 200)
      throw new Error(`initialize: HTTP ${answer.status} ${answer.body.toString().slice(0, 300)}`);
    const header = answer.headers['mcp-session-id'];
    this.sessionId = Array.isArray(header) ? header[0] : header;
    const reply = parseMessages(answer).find((m) => m.id === id);
    if (!reply?.result) throw new Error(`initialize failed: ${JSON.stringify(reply?.error)}`);
    const note = await httpRequest(
      this.agent,
      this.#url,
      'POST',
      this.#requestHeaders(),
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    );
    if (note.status >= 300) throw new Error(`notifications/initialized: HTTP ${note.status}`);
    return reply.result;
  }

  /** Sends a request; resolves with its result, rejects with a JSON-RPC or HTTP error. */
  async request(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const answer = await this.raw(method, params);
    const reply = parseMessages(answer).find((m) => m.id !== undefined && m.method === undefined);
    if (!reply)
      throw new Error(`${method}: HTTP ${answer.status}, no reply: ${answer.body.toString().slice(0, 300)}`);
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result ?? {};
  }

  /** Sends a request and returns the raw HTTP answer (for timing without parsing). */
  raw(method: string, params: Record<string, unknown> = {}): Promise<HttpAnswer> {
    const id = this.#nextId++;
    return httpRequest(
      this.agent,
      this.#url,
      'POST',
      this.#requestHeaders(),
      JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    );
  }

  /** tools/call; throws when the result is an error result. */
  async callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const result = await this.request('tools/call', { name, arguments: args });
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content).slice(0, 300)}`);
    return result;
  }

  /** Opens the standalone GET stream; `onMessage` gets each server-sent JSON-RPC message. */
  openStream(onMessage: (message: RpcMessage) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.#url.hostname,
          port: this.#url.port,
          path: `${this.#url.pathname}${this.#url.search}`,
          method: 'GET',
          headers: { ...this.#requestHeaders(), accept: 'text/event-stream' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`GET stream: HTTP ${res.statusCode}`));
            res.resume();
            return;
          }
          this.#stream = res;
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            for (;;) {
              const end = buffer.search(/\r?\n\r?\n/);
              if (end < 0) break;
              const event = buffer.slice(0, end);
              buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
              const data = event
                .split(/\r?\n/)
                .filter((l) => l.startsWith('data:'))
                .map((l) => l.slice(5).replace(/^ /, ''))
                .join('\n');
              if (data) onMessage(JSON.parse(data) as RpcMessage);
            }
          });
          res.on('error', () => {});
          resolve();
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** Ends the session (DELETE) and closes the stream. */
  async close(): Promise<void> {
    this.#stream?.destroy();
    if (this.sessionId) {
      await httpRequest(this.agent, this.#url, 'DELETE', this.#requestHeaders()).catch(() => undefined);
    }
    this.sessionId = undefined;
  }
}
