// A small JSON API on 127.0.0.1 — the upstream that HTTP connectors call in the benchmarks.
// GET /items/{id} → a small item; POST /items → the body echoed back with an id.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const item = /^\/items\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && item) {
      const id = decodeURIComponent(item[1] as string);
      const body = JSON.stringify({ id, name: `item ${id}`, price: 42, tags: ['a', 'b'] });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (req.method === 'POST' && path === '/items') {
      const body = JSON.stringify({ id: 'new', ...JSON.parse(Buffer.concat(chunks).toString() || '{}') });
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
