// A small round-robin HTTP proxy in front of Portico replicas (team-mode bench). A request without
// an `Mcp-Session-Id` goes to the next replica in turn; a request with one goes to the replica
// that answered that session's initialize (sticky per MCP session: sessions are per replica).
// Prints `READY {url}`.
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const config = JSON.parse(process.argv[2] ?? '{}') as { backends: string[] };
const backends = config.backends.map((u) => new URL(u));
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const sticky = new Map<string, URL>();
let next = 0;

const server = createServer((req, res) => {
  const session = req.headers['mcp-session-id'];
  const id = Array.isArray(session) ? session[0] : session;
  let backend = id ? sticky.get(id) : undefined;
  if (!backend) {
    backend = backends[next % backends.length] as URL;
    next += 1;
  }
  const target = backend;
  const upstream = request(
    {
      agent,
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
    },
    (answer) => {
      const created = answer.headers['mcp-session-id'];
      if (typeof created === 'string') sticky.set(created, target);
      if (req.method === 'DELETE' && id) sticky.delete(id);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`proxy: ${error.message}`);
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  agent.destroy();
  process.exit(0);
});
