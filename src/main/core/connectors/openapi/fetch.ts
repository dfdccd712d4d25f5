/**
 * Bounded reads for the importer: a document (the main one or one it references) is read up to a
 * size limit and within a time limit, from the network or from disk, and never buffered past it.
 */
import { open } from 'node:fs/promises';
import { MAX_OPENAPI_DOCUMENT_BYTES } from '../../../../shared/admin/contract';
import { errorMessage, isObject, OpenApiImportError } from './util';

/** The most a document — the main one, and each one it references — may hold. */
export const DEFAULT_MAX_DOCUMENT_BYTES = MAX_OPENAPI_DOCUMENT_BYTES;
/** How long one document may take to arrive, headers and body. */
export const DEFAULT_FETCH_TIMEOUT_MS = 15_000;
/** Redirects followed for one document. */
export const MAX_REDIRECTS = 5;

export interface ReadLimits {
  maxBytes: number;
  timeoutMs: number;
}

export const describeBytes = (bytes: number): string =>
  bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MB`
    : bytes >= 1024 && bytes % 1024 === 0
      ? `${bytes / 1024} kB`
      : `${bytes} bytes`;

export type FetchOutcome =
  | { kind: 'body'; body: Buffer; url: string }
  | { kind: 'redirect'; status: number; location: string }
  | { kind: 'status'; status: number; statusText: string }
  | { kind: 'too-large'; declared?: number };

/**
 * One GET of `url`, its body read up to `maxBytes` (counted as decoded, so a compressed bomb stops
 * there too) and the whole exchange within `timeoutMs`. `redirect: 'manual'` hands a 3xx back to
 * the caller, which decides where it may go. Network failures and timeouts throw fetch's own
 * errors: `reasonOf` words them.
 */
export async function fetchLimited(
  url: URL,
  limits: ReadLimits,
  options: { redirect: 'follow' | 'manual'; signal?: AbortSignal },
): Promise<FetchOutcome> {
  const stop = new AbortController();
  const signals = [AbortSignal.timeout(limits.timeoutMs), stop.signal];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  try {
    const res = await fetch(url, {
      signal,
      redirect: options.redirect,
      headers: { accept: 'application/json, application/yaml, text/yaml, text/plain;q=0.9, */*;q=0.8' },
    });
    if (res.status >= 300 && res.status < 400 && options.redirect === 'manual') {
      return { kind: 'redirect', status: res.status, location: res.headers.get('location') ?? '' };
    }
    if (!res.ok) return { kind: 'status', status: res.status, statusText: res.statusText };
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (declared > limits.maxBytes) return { kind: 'too-large', declared };
    const body = await readBody(res, limits.maxBytes);
    return body === null ? { kind: 'too-large' } : { kind: 'body', body, url: res.url || url.href };
  } finally {
    // Whatever is left unread (an error status, a redirect, a body past the limit) is dropped now.
    stop.abort();
  }
}

/** The body, or null as soon as it passes `maxBytes` (the rest is never read). */
async function readBody(res: Response, maxBytes: number): Promise<Buffer | null> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** A file's bytes, or null when it holds more than `maxBytes` (never reading past them). */
export async function readFileLimited(file: string, maxBytes: number): Promise<Buffer | null> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) return null;
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

export function tooLarge(what: string, maxBytes: number, declared?: number): OpenApiImportError {
  const size = declared !== undefined ? ` (${declared} bytes)` : '';
  return new OpenApiImportError(
    `${what} is too large${size}: the limit is ${describeBytes(maxBytes)} per document, and reading stopped there.`,
  );
}

/** Why a fetch failed, in words: a timeout, or undici's real reason (ECONNREFUSED, …) from `cause`. */
export function reasonOf(err: unknown, timeoutMs: number): string {
  if (isObject(err) && err.name === 'TimeoutError') return `no response within ${timeoutMs} ms`;
  if (isObject(err) && err.name === 'AbortError') return 'the read was stopped';
  const cause = isObject(err) ? err.cause : undefined;
  if (isObject(cause)) {
    if (cause.name === 'TimeoutError') return `no response within ${timeoutMs} ms`;
    const code = typeof cause.code === 'string' ? cause.code : '';
    const msg = typeof cause.message === 'string' ? cause.message : '';
    if (code || msg) return msg.includes(code) ? msg : `${code} ${msg}`.trim();
  }
  return errorMessage(err);
}
