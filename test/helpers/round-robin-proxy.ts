import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

/** One request the proxy sent to a replica (a connection was made and the request written). */
export interface Forwarded {
  /** The HTTP method. */
  method: string;
  /** The JSON-RPC method of the body ('' when it has none). */
  rpc: string;
  /** The replica's origin. */
  target: string;
  /** The Last-Event-ID header (a client resuming an SSE stream). */
  lastEventId?: string;
  /** The replica's status, once its response headers arrived. */
  status?: number;
  /** The replica's content-type, once its response headers arrived. */
  contentType?: string;
  /**
   * How it ended (undefined while in flight): the whole response relayed; a 502 because the
   * replica closed the connection before answering; the client's response destroyed because the
   * replica closed it mid-body; or the client went away first.
   */
  ended?: 'answered' | 'bad-gateway' | 'cut' | 'client-gone';
}

/** The message of the proxy's 502 when a replica dies after the request was sent, before it answered. */
export const BAD_GATEWAY = 'Bad gateway: the replica closed the connection before answering';

function badGateway(res: ServerResponse, message: string) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message } });
  res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A round-robin HTTP proxy on 127.0.0.1 that behaves like a real load balancer (nginx): each
 * request goes to the next replica; a replica that refuses the connection is skipped for the next
 * one (a passive health check — safe, nothing was sent); a replica that closes the connection after
 * the request was sent but before its response headers gets the client a JSON-RPC 502 (the request
 * is not retried: it may have taken effect); one that closes it mid-body (an SSE stream) gets the
 * client's response destroyed. Responses are piped as they come, never buffered.
 *
 * `targets` may be changed while it runs (a replica replaced); `forwarded` records every request
 * sent to a replica, and where. Closed after the file's tests.
 */
export async function startRoundRobinProxy(initialTargets: string[]) {
  const targets = [...initialTargets];
  const forwarded: Forwarded[] = [];
  const upstreams = new Set<ReturnType<typeof request>>();
  let next = 0;

  /** Sends the request to one replica: 'refused' when no connection could be made. */
  const forward = (target: URL, req: IncomingMessage, res: ServerResponse, body: Buffer, rpc: string) =>
    new Promise<'refused' | 'sent'>((resolve) => {
      let entry: Forwarded | undefined;
      const upstream = request({
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent: false,
      });
      upstreams.add(upstream);
      upstream.on('close', () => upstreams.delete(upstream));
      upstream.on('socket', (socket) =>
        socket.once('connect', () => {
          entry = { method: req.method ?? '', rpc, target: target.origin };
          const lastEventId = req.headers['last-event-id'];
          if (typeof lastEventId === 'string') entry.lastEventId = lastEventId;
          forwarded.push(entry);
          resolve('sent');
        }),
      );
      upstream.on('response', (answer) => {
        if (!entry) return;
        const sent = entry;
        sent.status = answer.statusCode;
        sent.contentType = answer.headers['content-type'];
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // An SSE stream's headers reach the client at once, as a real proxy without buffering sends them.
        res.flushHeaders();
        answer.pipe(res);
        answer.on('end', () => {
          sent.ended ??= 'answered';
        });
        answer.on('error', () => {});
        answer.on('close', () => {
          if (answer.complete) return;
          sent.ended ??= 'cut';
          res.destroy();
        });
      });
      upstream.on('error', () => {
        // Nothing was sent: the next replica gets the request.
        if (!entry) return resolve('refused');
        if (res.headersSent) {
          entry.ended ??= 'cut';
          res.destroy();
        } else if (!res.destroyed) {
          entry.ended ??= 'bad-gateway';
          badGateway(res, BAD_GATEWAY);
        }
      });
      res.on('close', () => {
        if (res.writableFinished) return;
        if (entry) entry.ended ??= 'client-gone';
        upstream.destroy();
      });
      upstream.end(body);
    });

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away while sending
    }
    const body = Buffer.concat(chunks);
    let rpc = '';
    try {
      rpc = String(JSON.parse(body.toString()).method ?? '');
    } catch {}
    for (let attempt = 0; attempt < targets.length; attempt++) {
      const target = new URL(targets[next++ % targets.length] as string);
      if ((await forward(target, req, res, body, rpc)) === 'sent') return;
    }
    badGateway(res, 'Bad gateway: no replica accepts connections');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    for (const upstream of upstreams) upstream.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  afterAll(close);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    forwarded,
    close,
  };
}
