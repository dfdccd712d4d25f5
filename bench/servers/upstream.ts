// A small JSON API on 127.0.0.1 — the upstream that HTTP connectors call in the benchmarks.
// GET /items/{id} → a small item; POST /items → the body echoed back with an id;
// GET /reports/{id} → a ~130 KB JSON report that also carries the request's X-Api-Key (to be scrubbed).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const REPORT_BYTES = 130_000;
/** A typical API listing (ids, names, URLs, amounts, notes), built once; the key goes in per request. */
const reportRecords = (() => {
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < REPORT_BYTES - 200; i += 1) {
    const id = (i * 2_654_435_761).toString(36).padStart(8, '0');
    const item = JSON.stringify({
      id: `rec_${id}`,
      name: `Customer ${id.slice(0, 5)} — Müller & Co.`,
      url: `https://api.example.com/v1/customers/${id}?expand=orders`,
      amount: (i * 7919) % 100_000,
      note: 'Paid by card; receipt sent. Contact support if the charge looks wrong.',
    });
    items.push(item);
    size += item.length + 1;
  }
  return items.join(',');
})();

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
    const report = /^\/reports\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && report) {
      const key = JSON.stringify(String(req.headers['x-api-key'] ?? ''));
      const body = `{"report":${JSON.stringify(decodeURIComponent(report[1] as string))},"requested_with":${key},"data":[${reportRecords}]}`;
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
