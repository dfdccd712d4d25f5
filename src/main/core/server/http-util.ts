import type { IncomingMessage, ServerResponse } from 'node:http';
import { redact } from '../util/log';

/** JSON-RPC error codes used for HTTP-level failures (the SDK uses the same range). */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  invalidParams: -32602,
  serverError: -32000,
  unauthorized: -32001,
} as const;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** A JSON-RPC error body with an HTTP status: what every plane-level failure returns. */
export function sendRpcError(
  res: ServerResponse,
  status: number,
  message: string,
  options: { code?: number; headers?: Record<string, string>; id?: string | number | null } = {},
): void {
  const code = options.code ?? (status === 401 ? RPC.unauthorized : RPC.serverError);
  sendJson(
    res,
    status,
    { jsonrpc: '2.0', error: { code, message: redact(message) }, id: options.id ?? null },
    options.headers,
  );
}

export type BodyResult =
  | { ok: true; value: unknown }
  | { ok: false; status: number; code: number; message: string };

/** Reads a JSON body up to `limit` bytes; larger bodies are refused without buffering them. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const tooLarge: BodyResult = {
    ok: false,
    status: 413,
    code: RPC.invalidRequest,
    message: `Request body too large: the limit is ${limit} bytes (settings.bodyLimitBytes).`,
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      if (!done)
        resolve({
          ok: false,
          status: 400,
          code: RPC.invalidRequest,
          message: 'The request body could not be read.',
        });
      done = true;
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      // (one chunk, the usual case, is decoded as is rather than copied first)
      const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8');
      try {
        resolve({ ok: true, value: JSON.parse(text) });
      } catch (error) {
        resolve({
          ok: false,
          status: 400,
          code: RPC.parseError,
          message: `Parse error: the body is not valid JSON (${(error as Error).message}). Send a JSON-RPC 2.0 message.`,
        });
      }
    });
  });
}
