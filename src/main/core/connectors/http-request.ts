import type { Action, AuthConfig, Connector } from '../store/schema';
import type { Credentials } from './credentials';

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export class RequestBuildError extends Error {}

type HttpConnector = Extract<Connector, { kind: 'http' }>;

function scalar(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Adds the connection's credentials the way the connector's auth config says. */
export function applyAuth(
  auth: AuthConfig | undefined,
  credentials: Credentials | undefined,
  headers: Record<string, string>,
  url: URL,
): void {
  if (!credentials) return;
  const scheme = auth?.scheme ?? 'none';
  if (scheme === 'api_key' && credentials.api_key) {
    const name = auth?.name ?? 'X-API-Key';
    if (auth?.in === 'query') url.searchParams.set(name, credentials.api_key);
    else headers[name.toLowerCase()] = credentials.api_key;
  } else if (scheme === 'basic' && credentials.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64')}`;
  } else if (
    (scheme === 'bearer' || scheme === 'oauth2') &&
    (credentials.access_token ?? credentials.token)
  ) {
    headers.authorization = `Bearer ${credentials.access_token ?? credentials.token}`;
  } else if (scheme === 'none' && (credentials.token || credentials.access_token)) {
    headers.authorization = `Bearer ${credentials.access_token ?? credentials.token}`;
  }
  for (const [name, value] of Object.entries(credentials.headers ?? {})) headers[name.toLowerCase()] = value;
}

/** The exact HTTP request an action describes for these arguments and credentials. */
export function buildHttpRequest(
  connector: HttpConnector,
  action: Action,
  args: Record<string, unknown>,
  auth: AuthConfig | undefined,
  credentials: Credentials | undefined,
): HttpRequestSpec {
  const mapping = action.http;
  if (!mapping)
    throw new RequestBuildError(
      `Action "${action.name}" has no HTTP mapping (method and path); update it with update_action.`,
    );
  if (!connector.baseUrl)
    throw new RequestBuildError(
      `Connector "${connector.slug}" has no base_url; set it with update_connector.`,
    );
  let path = mapping.path;
  const headers: Record<string, string> = { accept: 'application/json, */*;q=0.8' };
  const cookies: string[] = [];
  const query: [string, string][] = [];
  for (const param of mapping.params) {
    const value = args[param.arg ?? param.name];
    if (value === undefined || value === null) {
      if (param.in === 'path')
        throw new RequestBuildError(`Missing path parameter "${param.arg ?? param.name}".`);
      continue;
    }
    if (param.in === 'path') path = path.split(`{${param.name}}`).join(encodeURIComponent(scalar(value)));
    else if (param.in === 'query') {
      if (Array.isArray(value) && param.explode !== false)
        for (const item of value) query.push([param.name, scalar(item)]);
      else query.push([param.name, Array.isArray(value) ? value.map(scalar).join(',') : scalar(value)]);
    } else if (param.in === 'header') headers[param.name.toLowerCase()] = scalar(value);
    else cookies.push(`${param.name}=${encodeURIComponent(scalar(value))}`);
  }
  const url = new URL(joinUrl(connector.baseUrl, path));
  for (const [k, v] of query) url.searchParams.append(k, v);
  if (cookies.length) headers.cookie = cookies.join('; ');
  let body: string | undefined;
  if (mapping.body) {
    const { mode, properties, contentType } = mapping.body;
    let payload: unknown;
    if (mode === 'wrap') payload = args.body;
    else {
      const picked: Record<string, unknown> = {};
      for (const prop of properties) if (args[prop] !== undefined) picked[prop] = args[prop];
      payload = Object.keys(picked).length ? picked : undefined;
    }
    if (payload !== undefined) {
      if (contentType.includes('x-www-form-urlencoded') || contentType.includes('multipart/form-data')) {
        const form = new URLSearchParams();
        for (const [k, v] of Object.entries(payload as Record<string, unknown>))
          if (v !== undefined) form.append(k, scalar(v));
        body = form.toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      } else if (contentType.includes('json') || typeof payload !== 'string') {
        body = JSON.stringify(payload);
        headers['content-type'] = contentType.includes('json') ? contentType : 'application/json';
      } else {
        body = payload;
        headers['content-type'] = contentType;
      }
    } else if (mapping.body.required) {
      throw new RequestBuildError(`Action "${action.name}" needs a request body.`);
    }
  }
  applyAuth(auth, credentials, headers, url);
  return { method: mapping.method, url: url.toString(), headers, body };
}

/** The request with credential values masked, for dry runs and logs. */
export function maskRequest(request: HttpRequestSpec, secrets: readonly string[]): HttpRequestSpec {
  const mask = (text: string) => secrets.reduce((acc, s) => (s ? acc.split(s).join('••••••••') : acc), text);
  const encoded = secrets.flatMap((s) => [encodeURIComponent(s), Buffer.from(s).toString('base64')]);
  const maskAll = (text: string) =>
    mask(encoded.reduce((acc, s) => (s ? acc.split(s).join('••••••••') : acc), text));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    headers[k] = k === 'authorization' ? v.replace(/^(\w+)\s+.*$/, '$1 ••••••••') : maskAll(v);
  }
  return {
    method: request.method,
    url: maskAll(request.url),
    headers,
    body: request.body === undefined ? undefined : maskAll(request.body),
  };
}
