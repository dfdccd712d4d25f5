import { EventEmitter } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export type UpstreamMode = 'ok' | 'error500' | 'slow' | 'bad-json';

/**
 * An HTTP upstream on 127.0.0.1 whose behaviour the test switches at run time: answers
 * (`ok`), fails with 500s, never answers (`slow`), or sends malformed JSON; it can be stopped
 * and started again on the same port. `/hang` never answers in any mode. Emits `request`
 * (path) for every request and `aborted` (path) when the caller gave up before the answer.
 */
export async function startFaultUpstream() {
  let mode: UpstreamMode = 'ok';
  const events = new EventEmitter();
  const pending = new Set<ServerResponse>();
  const stats = { requests: 0, aborted: 0 };
  let server: Server | undefined;
  let port = 0;

  const listen = async () => {
    const s = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      stats.requests += 1;
      res.on('close', () => {
        pending.delete(res);
        if (!res.writableEnded) {
          stats.aborted += 1;
          events.emit('aborted', path);
        }
      });
      req.resume();
      req.on('end', () => {
        events.emit('request', path);
        if (path === '/hang' || mode === 'slow') {
          pending.add(res);
          return;
        }
        if (mode === 'error500') {
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"upstream is failing"}');
          return;
        }
        if (mode === 'bad-json') {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok": tru');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, path }));
      });
    });
    s.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };

  /** Goes down: every socket is closed, and the port refuses connections. */
  const stop = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      for (const res of pending) res.destroy();
      s.close(() => resolve());
      s.closeAllConnections();
    });

  await listen();
  afterAll(stop);
  return {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get mode() {
      return mode;
    },
    /** Changes how requests are answered; requests held by `slow` are cut off. */
    setMode(next: UpstreamMode) {
      mode = next;
      if (next !== 'slow') for (const res of pending) if (!res.req.url?.startsWith('/hang')) res.destroy();
    },
    stop,
    /** Comes back on the same port. */
    start: listen,
    events,
    stats,
  };
}
