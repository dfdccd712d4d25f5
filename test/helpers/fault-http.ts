import { connect } from 'node:net';

/** What came back on a raw socket: every status line seen, the first response's head and body. */
export interface RawResponse {
  /** Status of the first response; null when the server closed without answering. */
  status: number | null;
  /** Statuses of every response on the connection (pipelining). */
  statuses: number[];
  head: string;
  /** The first response's body (de-chunked when chunked). */
  body: string;
  /** Everything received, as latin1. */
  raw: string;
  /** Bytes received that do not start with an HTTP/1.x status line. */
  malformed: boolean;
  error?: string;
  timedOut: boolean;
}

export interface RawOptions {
  /** After writing: keep the socket open for the answer (default), half-close it, or destroy it. */
  after?: 'wait' | 'half' | 'destroy';
  /** Stop at the end of the first response (default), or read until the server closes. */
  until?: 'response' | 'close';
  /** The request was HEAD: the response has no body whatever its headers say. */
  head?: boolean;
  /** Stop once the response head is in (an event stream may never end). */
  headersOnly?: boolean;
  timeoutMs?: number;
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?\r\n/;

/** Splits a complete first response off `raw` (latin1); undefined while it is incomplete. */
function firstResponse(
  raw: string,
  headOnly: boolean,
): { head: string; body: string; length: number } | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = raw.slice(0, end);
  const rest = raw.slice(end + 4);
  const status = Number(STATUS_LINE.exec(raw)?.[1]);
  if (headOnly || status === 204 || status === 304 || (status >= 100 && status < 200))
    return { head, body: '', length: end + 4 };
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  if (length !== undefined) {
    const n = Number(length);
    return rest.length >= n ? { head, body: rest.slice(0, n), length: end + 4 + n } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let at = 0;
    let body = '';
    for (;;) {
      const eol = rest.indexOf('\r\n', at);
      if (eol < 0) return undefined;
      const size = Number.parseInt(rest.slice(at, eol), 16);
      if (!Number.isFinite(size)) return { head, body, length: raw.length };
      if (size === 0) {
        const last = rest.indexOf('\r\n', eol + 2);
        return last >= 0 ? { head, body, length: end + 4 + last + 2 } : undefined;
      }
      if (rest.length < eol + 2 + size + 2) return undefined;
      body += rest.slice(eol + 2, eol + 2 + size);
      at = eol + 2 + size + 2;
    }
  }
  return undefined; // Delimited by close.
}

/**
 * Sends raw bytes to 127.0.0.1:`port` and collects the answer: for what `fetch` can't
 * express (broken framing, invalid bytes, half-sent requests, pipelining).
 */
export function rawExchange(
  port: number,
  chunks: readonly (string | Buffer)[],
  options: RawOptions = {},
): Promise<RawResponse> {
  const { after = 'wait', until = 'response', timeoutMs = 15_000 } = options;
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let error: string | undefined;
    let timedOut = false;
    let settled = false;
    const socket = connect(port, '127.0.0.1');
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(received).toString('latin1');
      const first = firstResponse(raw, Boolean(options.head || options.headersOnly));
      const statuses: number[] = [];
      for (let rest = raw; STATUS_LINE.test(rest); ) {
        statuses.push(Number(STATUS_LINE.exec(rest)?.[1]));
        const next = firstResponse(rest, Boolean(options.head));
        if (!next || next.length <= 0) break;
        rest = rest.slice(next.length);
      }
      const status = STATUS_LINE.exec(raw)?.[1];
      resolve({
        status: status ? Number(status) : null,
        statuses,
        head: first?.head ?? raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n'))),
        body: Buffer.from(first?.body ?? raw, 'latin1').toString('utf8'),
        raw,
        malformed: raw.length > 0 && !STATUS_LINE.test(raw),
        error,
        timedOut,
      });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (until === 'response') {
        const raw = Buffer.concat(received).toString('latin1');
        if (firstResponse(raw, Boolean(options.head || options.headersOnly))) finish();
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', finish);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (after === 'half') socket.end();
      if (after === 'destroy') socket.write('', () => socket.destroy());
    });
  });
}

/** A raw HTTP/1.1 request; `content-length` is added for a body unless a header says otherwise. */
export function httpBytes(
  method: string,
  target: string,
  headers: readonly (readonly [string, string])[],
  body?: string | Buffer,
  version = 'HTTP/1.1',
): Buffer {
  const lines = [`${method} ${target} ${version}`];
  const names = new Set(headers.map(([k]) => k.toLowerCase()));
  for (const [k, v] of headers) lines.push(`${k}: ${v}`);
  const bytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  if (bytes && !names.has('content-length') && !names.has('transfer-encoding'))
    lines.push(`content-length: ${bytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes ?? Buffer.alloc(0)]);
}

/** The mcp-session-id a response carries, if any. */
export function sessionIdOf(head: string): string | undefined {
  return /\r\nmcp-session-id:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim();
}
