import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { redact } from '../util/log';
import type { HttpRequestSpec } from './http-request';
import {
  checkHop,
  describeUrl,
  MAX_REDIRECTS,
  RedirectRefusedError,
  redirectedMethod,
  redirectTarget,
  sameOrigin,
} from './network-guard';
import { type UpstreamInit, type UpstreamResponse, upstreamFetch } from './upstream-fetch';

export interface HttpCallOptions {
  timeoutMs?: number;
  /** Response bodies over this many bytes are truncated, with a note. */
  maxBodyBytes?: number;
  signal?: AbortSignal;
  /** Masks the call's own secrets (the caller's per-call scrubber) in anything returned to the agent. */
  scrub?: (text: string) => string;
}

const EXCERPT = 2_000;
/** What is read of an error answer: enough for its excerpt. */
const ERROR_READ = 16 * 1024;

/** The call's own secrets, then Portico's key shapes: nothing secret goes back to the agent. */
const scrubbed = (text: string, options: HttpCallOptions) =>
  redact(options.scrub ? options.scrub(text) : text);

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (err.name === 'AbortError') return 'the call was cancelled';
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the service running?)';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was reset';
  return err.cause?.message ?? err.message;
}

/** Sends the request to the upstream and maps the response to an MCP tool result. */
export async function callHttp(
  request: HttpRequestSpec,
  options: HttpCallOptions = {},
): Promise<CallToolResult> {
  return (await sendHttp(request, options)).result;
}

/** Like callHttp, also giving the upstream's HTTP status (0 when no response came). */
export async function sendHttp(
  request: HttpRequestSpec,
  options: HttpCallOptions = {},
): Promise<{ result: CallToolResult; status: number }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // One controller and one timer per call, both released when the call ends. (AbortSignal.timeout
  // keeps its timer and signal alive for the whole timeout, and AbortSignal.any on Node 20
  // holds on to its sources: at thousands of calls a second that is hundreds of MB.)
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  );
  const external = options.signal;
  const cancel = () => controller.abort(new DOMException('the call was cancelled', 'AbortError'));
  if (external?.aborted) cancel();
  else external?.addEventListener('abort', cancel, { once: true });
  try {
    return await sendWith(request, options, controller.signal, timeoutMs);
  } finally {
    clearTimeout(timer);
    external?.removeEventListener('abort', cancel);
  }
}

const failure = (status: number, text: string, options: HttpCallOptions) => ({
  status,
  result: {
    content: [{ type: 'text' as const, text: scrubbed(text, options) }],
    isError: true,
  },
});

/** Headers that may follow a redirect to another origin: none of the connection's credentials. */
function withoutCredentials(
  request: HttpRequestSpec,
  headers: Record<string, string>,
  options: HttpCallOptions,
): Record<string, string> {
  const drop = new Set([
    'authorization',
    'proxy-authorization',
    'cookie',
    ...(request.credentials?.headers ?? []),
  ]);
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // A header the call's scrubber would mask carries a secret, whatever its name.
    if (drop.has(name.toLowerCase()) || (options.scrub && options.scrub(value) !== value)) continue;
    kept[name] = value;
  }
  return kept;
}

/**
 * Sends the request, following redirects itself: within the origin as they are; to another origin
 * only without the connection's credentials (auth and credential headers, cookies, credential query
 * parameters) and never to a URL that carries one of the call's secrets; never from https to http,
 * never to a Location with user info, at most MAX_REDIRECTS hops.
 */
async function sendFollowing(
  request: HttpRequestSpec,
  options: HttpCallOptions,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ response: UpstreamResponse; url: URL } | { refused: string }> {
  const origin = new URL(request.url);
  let url = origin;
  let method = request.method;
  let body = request.body;
  let headers = request.headers;
  let stripped = false;
  for (let hop = 0; ; hop += 1) {
    const response = await fetchOnce(url, { method, headers, body, signal, timeoutMs }, hop === 0);
    let target: URL | null;
    try {
      target = redirectTarget(response, url);
      if (target) {
        await response.discard();
        if (hop === MAX_REDIRECTS) return { refused: `more than ${MAX_REDIRECTS} redirects` };
        checkHop(url, target, response.status);
      }
    } catch (error) {
      await response.discard();
      if (error instanceof RedirectRefusedError) return { refused: error.message };
      throw error;
    }
    if (!target) return { response, url };
    if (!stripped && !sameOrigin(target, origin)) {
      // Leaving the origin: the connection's credentials stay behind, for the rest of the chain.
      headers = withoutCredentials(request, headers, options);
      stripped = true;
    }
    if (stripped) {
      for (const name of request.credentials?.query ?? []) target.searchParams.delete(name);
      if (options.scrub && options.scrub(target.href) !== target.href)
        return {
          refused: `${describeUrl(url)} redirected to ${describeUrl(target)} with this connection's credentials in the URL`,
        };
    }
    const next = redirectedMethod(response.status, method);
    if (!next.keepsBody && body !== undefined) {
      body = undefined;
      const { 'content-type': _type, 'content-length': _length, ...rest } = headers;
      headers = rest;
    }
    method = next.method;
    url = target;
  }
}

/** One fetch; a GET whose kept-alive socket the upstream had closed is sent once more. */
async function fetchOnce(url: URL, init: UpstreamInit, retry: boolean): Promise<UpstreamResponse> {
  try {
    return await upstreamFetch(url, init);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (!retry || init.method !== 'GET' || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw error;
    return upstreamFetch(url, init);
  }
}

async function sendWith(
  request: HttpRequestSpec,
  options: HttpCallOptions,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ result: CallToolResult; status: number }> {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const first = new URL(request.url);
  const upstream = `${request.method} ${first.origin}${first.pathname}`;
  let sent: Awaited<ReturnType<typeof sendFollowing>>;
  try {
    sent = await sendFollowing(request, options, signal, timeoutMs);
  } catch (error) {
    return failure(0, `Upstream ${upstream} failed: ${describeNetworkError(error, timeoutMs)}.`, options);
  }
  if ('refused' in sent)
    return failure(
      0,
      `Upstream ${upstream}: redirect not followed (${sent.refused}). If the API moved, point the connector's base_url at its new location.`,
      options,
    );
  const { response, url } = sent;
  const contentType = response.headers.get('content-type') ?? '';
  const { bytes, truncated } = await response.readCapped(response.ok ? maxBody : ERROR_READ);
  const note = truncated ? `\n[Portico: response truncated at ${maxBody} bytes]` : '';
  const status = response.status;
  if (!response.ok) {
    const excerpt = bytes.subarray(0, EXCERPT).toString('utf8');
    const result: CallToolResult = {
      content: [
        {
          type: 'text',
          text: scrubbed(
            `Upstream ${upstream} answered HTTP ${response.status} ${response.statusText}.\n${excerpt}${bytes.length > EXCERPT ? '…' : ''}`,
            options,
          ),
        },
      ],
      isError: true,
    };
    return { status, result };
  }
  const mime = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mime.startsWith('image/')) {
    return {
      status,
      result: { content: [{ type: 'image', data: bytes.toString('base64'), mimeType: mime }] },
    };
  }
  const isJson = mime === 'application/json' || mime.endsWith('+json');
  const isText = isJson || mime.startsWith('text/') || mime === '' || /xml|javascript|yaml|csv/.test(mime);
  if (!isText) {
    return {
      status,
      result: {
        content: [
          {
            type: 'resource',
            resource: {
              uri: scrubbed(url.toString(), options),
              mimeType: mime,
              blob: bytes.toString('base64'),
            },
          },
        ],
      },
    };
  }
  const text = scrubbed(bytes.toString('utf8'), options);
  if (isJson && !truncated && text.trim()) {
    try {
      const value: unknown = JSON.parse(text);
      const structured =
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? (value as Record<string, unknown>)
          : undefined;
      return {
        status,
        result: {
          content: [{ type: 'text', text }],
          ...(structured ? { structuredContent: structured } : {}),
        },
      };
    } catch {
      return {
        status,
        result: {
          content: [
            { type: 'text', text: `${text}\n[Portico: the upstream said JSON but sent invalid JSON]` },
          ],
        },
      };
    }
  }
  return { status, result: { content: [{ type: 'text', text: text + note }] } };
}
