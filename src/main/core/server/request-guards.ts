import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTNAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The hostname part of a Host header value (`[::1]:7430` → `[::1]`). */
function hostnameOf(hostHeader: string): string {
  const trimmed = hostHeader.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  return trimmed.split(':')[0] ?? '';
}

export type GuardResult = { ok: true } | { ok: false; message: string };

/**
 * DNS-rebinding protection: when bound to loopback, the Host must name loopback; and a
 * browser Origin, when present, must be this server's own loopback origin.
 */
export function checkHostAndOrigin(req: IncomingMessage, boundHost: string, port: number): GuardResult {
  const host = req.headers.host;
  if (isLoopbackHost(boundHost)) {
    if (!host || !isLoopbackHost(hostnameOf(host))) {
      return {
        ok: false,
        message: `Forbidden: Host "${host ?? ''}" is not a loopback name. Portico listens on loopback only; connect to http://127.0.0.1:${port} or http://localhost:${port}.`,
      };
    }
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let allowed = false;
    try {
      const url = new URL(origin);
      allowed = url.protocol === 'http:' && isLoopbackHost(url.hostname) && Number(url.port || 80) === port;
    } catch {
      allowed = false;
    }
    if (!allowed) {
      return {
        ok: false,
        message: `Forbidden: Origin "${origin}" may not call Portico. Only pages served by Portico itself (http://127.0.0.1:${port}) can make browser requests to it.`,
      };
    }
  }
  return { ok: true };
}

/** The presented API key: Bearer header, then X-API-Key, then the `api_key` query parameter. */
export function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  return url.searchParams.get('api_key') ?? undefined;
}

export const KEY_HELP =
  'Pass a Portico API key as "Authorization: Bearer ptc_…", as an "X-API-Key: ptc_…" header, or as the "api_key" query parameter. ' +
  'Create one with `portico keys create --name NAME --scope admin|gateway`.';
