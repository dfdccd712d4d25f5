import type { CallResult } from '../../shared/admin/contract';
import { LOCAL_CREDENTIAL_HEADER, type ServerInfo } from '../core/store/server-info';

// Not an ESM import: importing node:http as a module enumerates its exports, which loads Node's
// whole fetch stack (undici, ~60 ms) that this path never uses.
const { request } = process.getBuiltinModule('node:http');

/** Longest a tool may run through the server (an import of a big document, say). */
const TIMEOUT_MS = 10 * 60_000;
/** Largest answer read back. */
const MAX_BYTES = 256 * 1024 * 1024;

/**
 * One registry call through the running server (POST /api/tools/NAME with the local credential),
 * on plain node:http so a `portico` command that only forwards starts fast.
 */
export function callThroughServer(
  server: ServerInfo & { url: string },
  credential: string,
  name: string,
  args: unknown,
): Promise<CallResult> {
  return postToServer(server, credential, `/api/tools/${encodeURIComponent(name)}`, args);
}

/** POSTs JSON to one of the server's /api paths with the local credential; answers its result. */
export function postToServer(
  server: ServerInfo & { url: string },
  credential: string,
  path: string,
  args: unknown,
): Promise<CallResult> {
  const body = JSON.stringify(args ?? {});
  const failed = (reason: string): CallResult => ({
    ok: false,
    error: `Portico is running (pid ${server.pid}) but did not answer at ${server.url} (${reason}). Try again, or stop it and run the command without a server.`,
  });
  return new Promise((resolve) => {
    const req = request(
      `${server.url}${path}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          [LOCAL_CREDENTIAL_HEADER]: credential,
        },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BYTES) res.destroy(new Error('the answer is too large'));
          else chunks.push(chunk);
        });
        res.on('error', (error) => resolve(failed(error.message)));
        res.on('end', () => {
          try {
            const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (parsed && typeof parsed === 'object' && 'ok' in parsed) return resolve(parsed as CallResult);
          } catch {
            // Not JSON: said below.
          }
          resolve({
            ok: false,
            error: `The server at ${server.url} answered HTTP ${res.statusCode} unexpectedly.`,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 60_000} minutes`)));
    req.on('error', (error) => resolve(failed(error.message)));
    req.end(body);
  });
}
