import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export interface Received {
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: IncomingMessage['headers'];
  body: string;
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/**
 * A real HTTP upstream on 127.0.0.1 that records every request and answers by path:
 * /echo/** → the request as JSON; /status/N → HTTP N; /bad-json; /huge; /image; /binary;
 * /slow (never answers); /delay/MS (answers after MS); /list → a JSON array; /text → plain text.
 */
export async function startEchoUpstream(port = 0) {
  const received: Received[] = [];
  const waiters: ((r: Received) => void)[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const query: Record<string, string[]> = Object.create(null);
      for (const [k, v] of url.searchParams) query[k] = [...(query[k] ?? []), v];
      const entry = { method: req.method ?? '', path: url.pathname, query, headers: req.headers, body };
      received.push(entry);
      for (const wake of waiters.splice(0)) wake(entry);
      const p = url.pathname;
      if (p.startsWith('/echo'))
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entry));
      const status = /^\/status\/(\d{3})$/.exec(p)?.[1];
      if (status)
        return res
          .writeHead(Number(status), { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `failing with ${status}`, detail: 'x'.repeat(5000) }));
      if (p === '/bad-json')
        return res.writeHead(200, { 'content-type': 'application/json' }).end('{"unterminated": ');
      if (p === '/huge')
        return res.writeHead(200, { 'content-type': 'text/plain' }).end('y'.repeat(3 * 1024 * 1024));
      if (p === '/image') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      if (p === '/binary')
        return res
          .writeHead(200, { 'content-type': 'application/pdf' })
          .end(Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2]));
      if (p === '/list') return res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2,3]');
      if (p === '/text')
        return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('plain words');
      const delay = /^\/delay\/(\d+)$/.exec(p)?.[1];
      if (delay) {
        setTimeout(
          () =>
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end(JSON.stringify({ waited: Number(delay) })),
          Number(delay),
        );
        return;
      }
      if (p === '/slow') {
        hanging.add(res);
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  afterAll(close);
  const actualPort = (server.address() as AddressInfo).port;
  /** Resolves with the next request the upstream receives. */
  const nextRequest = () => new Promise<Received>((resolve) => waiters.push(resolve));
  return { url: `http://127.0.0.1:${actualPort}`, port: actualPort, received, close, nextRequest };
}
