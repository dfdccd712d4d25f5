import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { redact } from '../util/log';
import type { HttpRequestSpec } from './http-request';

export interface HttpCallOptions {
  timeoutMs?: number;
  /** Response bodies over this many bytes are truncated, with a note. */
  maxBodyBytes?: number;
  signal?: AbortSignal;
  /** Masks the call's own secrets (the caller's per-call scrubber) in anything returned to the agent. */
  scrub?: (text: string) => string;
}

const EXCERPT = 2_000;

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

async function readCapped(response: Response, max: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (!response.body) return { bytes: Buffer.alloc(0), truncated: false };
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      chunks.push(Buffer.from(value.subarray(0, value.length - (size - max))));
      await reader.cancel();
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(Buffer.from(value));
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
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

async function sendWith(
  request: HttpRequestSpec,
  options: HttpCallOptions,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ result: CallToolResult; status: number }> {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const url = new URL(request.url);
  const upstream = `${request.method} ${url.origin}${url.pathname}`;
  const send = () =>
    fetch(url, { method: request.method, headers: request.headers, body: request.body, signal });
  let response: Response;
  try {
    try {
      response = await send();
    } catch (error) {
      // A kept-alive socket closed by the upstream: a GET is safe to send once more.
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (request.method !== 'GET' || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw error;
      response = await send();
    }
  } catch (error) {
    return {
      status: 0,
      result: {
        content: [
          {
            type: 'text',
            text: scrubbed(
              `Upstream ${upstream} failed: ${describeNetworkError(error, timeoutMs)}.`,
              options,
            ),
          },
        ],
        isError: true,
      },
    };
  }
  const contentType = response.headers.get('content-type') ?? '';
  const { bytes, truncated } = await readCapped(response, maxBody);
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
            resource: { uri: url.toString(), mimeType: mime, blob: bytes.toString('base64') },
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
