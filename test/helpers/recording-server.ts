import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** One request as it arrived: the raw request target (no URL normalization), headers and body. */
export interface Seen {
  method: string;
  /** The request target exactly as sent, e.g. `/v1/users/%2E%2E/profile?x=1`. */
  rawUrl: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => unknown;

/** A self-signed certificate for 127.0.0.1, made with openssl for this run. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

/**
 * A real HTTP(S) server on a loopback address that records every request (raw target, headers,
 * body) before `handler` answers it. `host` may be any 127.x address: 127.0.0.2 is another host.
 */
export async function startRecordingServer(
  handler: Handler,
  options: { host?: string; tls?: { key: string; cert: string } } = {},
) {
  const host = options.host ?? '127.0.0.1';
  const seen: Seen[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Seen = {
        method: req.method ?? '',
        rawUrl: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      Promise.resolve(handler(req, res, entry)).catch(() => res.destroy());
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  afterAll(close);
  return {
    origin: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    host,
    port,
    seen,
    server,
    close,
  };
}

export const json = (res: ServerResponse, status: number, value: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

/** Everything a request carried, as one string: for "no secret in it anywhere" checks. */
export const everything = (s: Seen) => `${s.method} ${s.rawUrl}\n${JSON.stringify(s.headers)}\n${s.body}`;
