import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { onTestFinished } from 'vitest';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** Epoch ms when the whole request had arrived. */
  at: number;
}

/**
 * A real webhook receiver on 127.0.0.1 answering with `statuses` in turn (then 200); `hang` never
 * answers. Closed when the test finishes.
 */
export async function startReceiver(statuses: (number | 'hang')[] = []) {
  const received: Received[] = [];
  const waiters = new Map<number, (r: Received) => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(entry);
      const status = statuses[received.length - 1] ?? 200;
      if (status !== 'hang') res.writeHead(status).end(status >= 300 ? 'receiver says no' : 'ok');
      waiters.get(received.length)?.(entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the receiver has no port');
  const { port } = address satisfies AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  onTestFinished(close);
  return {
    url: `http://127.0.0.1:${port}/hooks/portico`,
    received,
    /** The n-th request (1-based), as soon as it has arrived. */
    request(n: number): Promise<Received> {
      const done = received[n - 1];
      return done ? Promise.resolve(done) : new Promise((resolve) => waiters.set(n, resolve));
    },
    close,
  };
}

/** A URL nothing listens on. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${address.port}/gone`;
}

/**
 * Checks a received request with the `standardwebhooks` package (the reference implementation,
 * independent of Portico's code). Throws when the signature or timestamp is wrong; returns the body.
 */
export function verifiedByStandardWebhooks(secret: string, request: Received): unknown {
  const headers: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return new Webhook(secret).verify(request.body, headers);
}
