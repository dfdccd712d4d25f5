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
 * Who may reach the server, by Host header and browser Origin. Loopback names and this server's own
 * loopback origin always; beyond them only what was named: the public URL (`--public-url`) and the
 * extra hosts and origins (`--allowed-host`, `--allowed-origin`) — the DNS-rebinding defence for a
 * server that is not on loopback only, or sits behind a reverse proxy.
 */
export interface AccessPolicy {
  /** Host names (lowercase, without port) a request may name besides loopback. */
  hosts: ReadonlySet<string>;
  /** Origins (`scheme://host[:port]`) a browser page may call from besides this server's own. */
  origins: ReadonlySet<string>;
}

export class AccessPolicyError extends Error {}

/** A URL's origin, or an error that says what is expected. */
function originOf(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AccessPolicyError(`${what} "${value}" is not a URL; give one like https://mcp.example.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new AccessPolicyError(`${what} "${value}" must be an http:// or https:// URL.`);
  return url;
}

/**
 * The access policy for a bind address. Binding beyond loopback needs `publicUrl`: without it
 * any page on any host could reach the server by DNS rebinding, so the start is refused.
 */
export function accessPolicy(options: {
  host: string;
  publicUrl?: string;
  allowedHosts?: readonly string[];
  allowedOrigins?: readonly string[];
}): AccessPolicy {
  if (!isLoopbackHost(options.host) && !options.publicUrl)
    throw new AccessPolicyError(
      `Binding ${options.host} (beyond loopback) needs --public-url URL (env PORTICO_PUBLIC_URL): the address clients and browsers use to reach Portico. ` +
        'Its host and origin are then the only ones allowed besides loopback; name more with --allowed-host H and --allowed-origin O.',
    );
  const hosts = new Set<string>();
  const origins = new Set<string>();
  // A specific address bound beyond loopback is reachable by that address too.
  if (!isLoopbackHost(options.host) && options.host !== '0.0.0.0' && options.host !== '::')
    hosts.add(options.host.includes(':') ? `[${options.host.toLowerCase()}]` : options.host.toLowerCase());
  if (options.publicUrl) {
    const url = originOf(options.publicUrl, '--public-url');
    hosts.add(url.hostname.toLowerCase());
    origins.add(url.origin);
  }
  for (const host of options.allowedHosts ?? []) {
    const name = host.trim().toLowerCase();
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(name))
      throw new AccessPolicyError(
        `--allowed-host "${host}" is not a host name; give one like mcp.example.com (no scheme, no port).`,
      );
    hosts.add(name);
  }
  for (const origin of options.allowedOrigins ?? []) origins.add(originOf(origin, '--allowed-origin').origin);
  return { hosts, origins };
}

/** DNS-rebinding protection: the Host must name loopback or an allowed host; a browser Origin must be allowed. */
export function checkHostAndOrigin(req: IncomingMessage, port: number, policy: AccessPolicy): GuardResult {
  const host = req.headers.host;
  const hostname = host ? hostnameOf(host) : '';
  if (!host || !(isLoopbackHost(hostname) || policy.hosts.has(hostname))) {
    const also = policy.hosts.size ? ` or ${[...policy.hosts].join(', ')}` : '';
    return {
      ok: false,
      message: `Forbidden: Host "${host ?? ''}" is not one Portico serves. Connect to http://127.0.0.1:${port}${also}${policy.hosts.size ? '' : ' (Portico listens on loopback only)'}.`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let allowed = false;
    try {
      const url = new URL(origin);
      allowed =
        (url.protocol === 'http:' && isLoopbackHost(url.hostname) && Number(url.port || 80) === port) ||
        policy.origins.has(url.origin);
    } catch {
      allowed = false;
    }
    if (!allowed) {
      return {
        ok: false,
        message: `Forbidden: Origin "${origin}" may not call Portico. Only pages served by Portico itself (http://127.0.0.1:${port}${policy.origins.size ? `, ${[...policy.origins].join(', ')}` : ''}) can make browser requests to it.`,
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
