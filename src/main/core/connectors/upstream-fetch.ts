// The HTTP connector's one request to its upstream (no redirects followed: http-runtime does that).
// An ordinary request goes out on node:http(s) with keep-alive agents, sent and read as `fetch`
// would (the same default headers, content codings, errors): fetch costs about three times the CPU
// per call (WHATWG Request/Headers/streams), the largest share of a gateway call's own work. Anything
// out of the ordinary — special headers, odd values or methods, a proxy from the environment, a
// timeout past undici's own — takes fetch itself, so its behaviour there is fetch's exactly.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { discard, readCapped } from './network-guard';

export interface UpstreamInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** The caller's own timeout; past undici's 300 s header/body timeouts fetch is used, for its errors. */
  timeoutMs: number;
}

/** What http-runtime reads of an answer (a fetch Response offers the same). */
export interface UpstreamResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  /** At most `max` bytes of the decoded body; the rest is not read (its connection is dropped). */
  readCapped(max: number): Promise<{ bytes: Buffer; truncated: boolean }>;
  /** Drops the body unread, releasing its connection. */
  discard(): Promise<void>;
}

// Idle sockets are kept 4 s (undici's default) or less if the upstream's Keep-Alive hint says so.
const agentOptions = { keepAlive: true, scheduling: 'lifo' as const, timeout: 4_000 };
const httpAgent = new HttpAgent(agentOptions);
const httpsAgent = new HttpsAgent(agentOptions);

/** NODE_USE_ENV_PROXY: fetch goes through HTTP(S)_PROXY — so every request takes fetch. */
const envProxy = Boolean(process.env.NODE_USE_ENV_PROXY);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Headers that undici treats specially (refuses, drops, or acts on): such requests take fetch. */
const SPECIAL = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'range',
  'if-modified-since',
  'if-none-match',
  'if-unmodified-since',
  'if-match',
  'if-range',
]);
/** A lower-case HTTP token (fetch lower-cases names; mixed case could merge two headers). */
const NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
/** A value both fetch and node:http send unchanged: no control characters, no edge whitespace. */
const VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;
/** undici's header and body timeouts: a longer call timeout takes fetch, which has them. */
const UNDICI_TIMEOUT_MS = 300_000;
const NULL_BODY = new Set([101, 204, 205, 304]);

function ordinary(url: URL, init: UpstreamInit): boolean {
  if (envProxy || init.timeoutMs > UNDICI_TIMEOUT_MS) return false;
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return false;
  if (!METHODS.has(init.method)) return false;
  if (init.body !== undefined && (init.method === 'GET' || init.method === 'HEAD')) return false;
  for (const name in init.headers) {
    if (!NAME.test(name) || SPECIAL.has(name) || !VALUE.test(init.headers[name] ?? '')) return false;
  }
  return true;
}

/** Sends one request; the answer as fetch would give it (redirects are not followed). */
export function upstreamFetch(url: URL, init: UpstreamInit): Promise<UpstreamResponse> {
  if (!ordinary(url, init)) {
    const { method, headers, body, signal } = init;
    return fetch(url, { method, headers, body, signal, redirect: 'manual' }).then(fromFetch);
  }
  return send(url, init);
}

function fromFetch(response: Response): UpstreamResponse {
  return {
    status: response.status,
    statusText: response.statusText,
    ok: response.ok,
    headers: response.headers,
    readCapped: (max) => readCapped(response, max),
    discard: () => discard(response),
  };
}

/** The headers fetch would send: the request's, then its defaults where the request has none. */
function withDefaults(url: URL, init: UpstreamInit): Record<string, string> {
  // Host and Connection first, as fetch writes them (node:http would append them last).
  const headers: Record<string, string> = { host: url.host, connection: 'keep-alive', ...init.headers };
  if (init.body !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = 'text/plain;charset=UTF-8';
  headers.accept ??= '*/*';
  headers['accept-language'] ??= '*';
  headers['sec-fetch-mode'] = 'cors';
  headers['user-agent'] ??= 'node';
  headers['accept-encoding'] ??= url.protocol === 'https:' ? 'br, gzip, deflate' : 'gzip, deflate';
  // (undici writes the length last)
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  else if (init.method === 'POST' || init.method === 'PUT') headers['content-length'] = '0';
  return headers;
}

/** A network failure, shaped as fetch's: TypeError('fetch failed') with the socket's error as cause. */
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });

function send(url: URL, init: UpstreamInit): Promise<UpstreamResponse> {
  const { signal } = init;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const https = url.protocol === 'https:';
    // Options rather than the URL: node:http would convert it (urlToHttpOptions) on every call.
    const req = (https ? httpsRequest : httpRequest)({
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port || undefined,
      path: url.pathname + url.search,
      method: init.method,
      headers: withDefaults(url, init),
      agent: https ? httpsAgent : httpAgent,
    });
    let settled = false;
    const onAbort = () => {
      req.destroy();
      if (!settled) {
        settled = true;
        reject(signal.reason);
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      reject(fetchFailed(error));
    });
    req.once('response', (res) => {
      settled = true;
      signal.removeEventListener('abort', onAbort);
      try {
        resolve(answer(res, init));
      } catch (error) {
        res.destroy();
        reject(fetchFailed(error));
      }
    });
    req.end(init.body);
  });
}

function answer(res: IncomingMessage, init: UpstreamInit): UpstreamResponse {
  const status = res.statusCode ?? 0;
  const decoders =
    init.method === 'HEAD' || NULL_BODY.has(status)
      ? []
      : contentDecoders(res.headersDistinct['content-encoding']?.join(', '));
  let body: Readable = res;
  if (decoders.length) body = pipeline([res, ...decoders], () => {}) as unknown as Readable;
  // An error while nobody reads (a body being dropped) must not become an uncaught 'error'.
  res.on('error', () => {});
  body.on('error', () => {});
  const headers = {
    // Repeated headers joined with ", ", as fetch's Headers.get (node:http keeps only the first of some).
    get(name: string): string | null {
      return res.headersDistinct[name.toLowerCase()]?.join(', ') ?? null;
    },
  };
  let used = false;
  return {
    status,
    statusText: res.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    headers,
    readCapped(max) {
      if (used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
      used = true;
      return readStream(body, res, max, init.signal);
    },
    discard() {
      used = true;
      res.destroy();
      return Promise.resolve();
    },
  };
}

/** Reads at most `max` bytes of `body` (the decoded `res`); stops and drops the connection past it. */
function readStream(
  body: Readable,
  res: IncomingMessage,
  max: number,
  signal: AbortSignal,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: unknown, truncated = false) => {
      signal.removeEventListener('abort', onAbort);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      res.off('aborted', onAborted);
      if (error !== undefined) reject(error);
      else resolve({ bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), truncated });
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > max) {
        chunks.push(chunk.subarray(0, max - size));
        done(undefined, true); // first: destroying may emit 'aborted' at once
        res.destroy();
        if (body !== res) body.destroy();
        return;
      }
      size += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => done();
    // As fetch's body stream errors: with the abort reason, else TypeError('terminated').
    const onError = (error: unknown) =>
      done(signal.aborted ? signal.reason : new TypeError('terminated', { cause: error }));
    const onAborted = () => onError(new Error('other side closed'));
    const onAbort = () => {
      done(signal.reason);
      res.destroy();
      if (body !== res) body.destroy();
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    res.once('aborted', onAborted);
  });
}

/** fetch's decoding of Content-Encoding: gzip, deflate, br (last applied first); anything else as is. */
function contentDecoders(header: string | undefined): Transform[] {
  if (!header) return [];
  const codings = header.toLowerCase().split(',');
  if (codings.length > 5)
    throw new Error(`too many content-encodings in response: ${codings.length}, maximum allowed is 5`);
  const decoders: Transform[] = [];
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  for (let i = codings.length - 1; i >= 0; i -= 1) {
    const coding = codings[i]?.trim();
    if (coding === 'x-gzip' || coding === 'gzip') decoders.push(zlib.createGunzip(flush));
    else if (coding === 'deflate') decoders.push(new Inflate(flush));
    else if (coding === 'br')
      decoders.push(
        zlib.createBrotliDecompress({
          flush: zlib.constants.BROTLI_OPERATION_FLUSH,
          finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
        }),
      );
    else return [];
  }
  return decoders;
}

/** "deflate" as fetch reads it: zlib-wrapped or raw, told apart by the first byte. */
class Inflate extends Transform {
  #inner: zlib.Inflate | zlib.InflateRaw | undefined;
  constructor(private readonly options: zlib.ZlibOptions) {
    super();
  }
  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.#inner) {
      if (chunk.length === 0) {
        callback();
        return;
      }
      const inner =
        ((chunk[0] ?? 0) & 15) === 8 ? zlib.createInflate(this.options) : zlib.createInflateRaw(this.options);
      inner.on('data', (data: Buffer) => this.push(data));
      inner.on('end', () => this.push(null));
      inner.on('error', (error) => this.destroy(error));
      this.#inner = inner;
    }
    this.#inner.write(chunk, encoding, callback);
  }
  override _final(callback: (error?: Error | null) => void): void {
    if (this.#inner) {
      this.#inner.end();
      this.#inner = undefined;
    }
    callback();
  }
}
