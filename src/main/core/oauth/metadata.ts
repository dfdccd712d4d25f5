import type { PlaneName } from '../store/schema';

/** An answer of an OAuth endpoint, written by the server. */
export interface OAuthResponse {
  status: number;
  headers?: Record<string, string>;
  /** A JSON body (absent for a bare redirect). */
  json?: unknown;
}

/** An RFC 6749 error answer: the error code and a description that says what to do. */
export const oauthError = (status: number, error: string, description: string): OAuthResponse => ({
  status,
  headers: { 'cache-control': 'no-store' },
  json: { error, error_description: description },
});

const PLANE_PATH: Record<PlaneName, string> = { admin: '/mcp/admin', gateway: '/mcp/gateway' };

/**
 * The URL this server is known by to a request: the public URL when one is set, else the Host the
 * request named (already checked against the allow-list) — so a client on `localhost` sees
 * `localhost` in the metadata, as its resource checks expect. It is also the issuer.
 */
export function requestBase(publicUrl: string | null | undefined, host: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return `http://${host ?? '127.0.0.1'}`;
}

/** Where a plane's Protected Resource Metadata is (RFC 9728 §3.1: the well-known path before the resource's). */
export const resourceMetadataUrl = (base: string, plane: PlaneName): string =>
  `${base}/.well-known/oauth-protected-resource${PLANE_PATH[plane]}`;

/**
 * Protected Resource Metadata (RFC 9728) for one plane, or (plane null, the root form) the server
 * as a whole; the authorization server is Portico's own (base) or an external OIDC issuer.
 */
export function protectedResourceMetadata(
  base: string,
  plane: PlaneName | null,
  authorizationServer = base,
): Record<string, unknown> {
  return {
    resource: plane ? `${base}${PLANE_PATH[plane]}` : base,
    authorization_servers: [authorizationServer],
    bearer_methods_supported: ['header'],
    ...(plane ? { scopes_supported: [plane] } : {}),
    resource_name: plane
      ? plane === 'admin'
        ? 'Portico control plane (Admin MCP)'
        : 'Portico customer gateway (data plane)'
      : 'Portico',
  };
}

/** Authorization Server Metadata (RFC 8414) of Portico's built-in authorization server. */
export function authorizationServerMetadata(base: string): Record<string, unknown> {
  return {
    issuer: base,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    registration_endpoint: `${base}/oauth/register`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: ['admin', 'gateway'],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
}

export type ResourceTarget =
  | { ok: true; plane: PlaneName | null; customer?: string }
  | { ok: false; description: string };

/**
 * The plane an RFC 8707 `resource` names: `BASE/mcp/admin`, `BASE/mcp/gateway` (a `customer_id`
 * in its query is kept as a suggestion), or BASE itself (the admin picks the plane at consent).
 */
export function resourceTarget(base: string, resource: string | null): ResourceTarget {
  if (resource === null) return { ok: true, plane: null };
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return { ok: false, description: `resource "${resource}" is not an absolute URL.` };
  }
  const expected = new URL(base);
  const known = `${base}/mcp/admin, ${base}/mcp/gateway`;
  if (url.hash) return { ok: false, description: 'resource must not contain a fragment (RFC 8707).' };
  if (url.origin !== expected.origin)
    return {
      ok: false,
      description: `resource "${resource}" is not served by this authorization server; use ${known}.`,
    };
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') return { ok: true, plane: null };
  const customer = url.searchParams.get('customer_id') ?? url.searchParams.get('endOrgId') ?? undefined;
  if (path === PLANE_PATH.admin) return { ok: true, plane: 'admin' };
  if (path === PLANE_PATH.gateway) return { ok: true, plane: 'gateway', ...(customer ? { customer } : {}) };
  return { ok: false, description: `resource "${resource}" is not a Portico plane; use ${known}.` };
}

/** The canonical resource (audience) of a plane. */
export const planeResource = (base: string, plane: PlaneName): string => `${base}${PLANE_PATH[plane]}`;
