// One HTTP request with node:http, not fetch: fetch hides Set-Cookie and refuses to send a Cookie
// header set by hand — what the web UI's session tests need to see and send.
import { type IncomingHttpHeaders, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The JSON body ({} when empty). */
  body: { ok?: boolean; value?: Record<string, unknown>; error?: string; [field: string]: unknown };
}

/** `method` `base``path` with `headers`; `body`, when given, sent as JSON. */
export function httpCall(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
) {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${base}${path}`,
      { method, headers: { ...headers, ...(text ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let raw = '';
        res.on('data', (c: Buffer) => {
          raw += c.toString();
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw ? JSON.parse(raw) : {} }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
