import type { Action, AuthConfig, Connector } from '../store/schema';
import type { Credentials } from './credentials';

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * Which headers and query parameters carry the connection's credentials: they are never sent to
   * another origin when the upstream redirects.
   */
  credentials?: CredentialPlaces;
}

export interface CredentialPlaces {
  headers: string[];
  query: string[];
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

/** A value seen the ways a server or proxy on the way may decode it: percent (repeatedly), overlong UTF-8, %u, NFKC. */
function decodings(text: string): string[] {
  const forms = new Set([text, text.normalize('NFKC')]);
  let current = text;
  for (let i = 0; i < 4; i += 1) {
    const next = current
      .replace(/%c0%ae|%e0%80%ae|%u002e/gi, '.')
      .replace(/%c0%af|%e0%80%af|%u002f|%u2215/gi, '/')
      .replace(/%c1%9c|%u005c/gi, '\\')
      .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    if (next === current) break;
    forms.add(next);
    forms.add(next.normalize('NFKC'));
    current = next;
  }
  return [...forms];
}

const PLAIN_SEGMENT = /^[A-Za-z0-9_~-]+$/;

/** A dot segment, once whitespace and control characters (which some servers strip) are gone. */
const isDotSegment = (part: string) =>
  /^\.{1,2}$/.test(
    [...part].filter((c) => !/\s/.test(c) && (c.codePointAt(0) ?? 0) > 0x1f && c !== '\u007f').join(''),
  );

/**
 * A path parameter's value as exactly one segment of the path: percent-encoded (so `/`, `\\`, `?`,
 * `#` and `%` stay inside it), and refused when it is empty or when any decoding of it has a `.` or
 * `..` segment — those would change which path is called, whoever decodes them.
 */
export function pathSegment(name: string, value: unknown): string {
  const text = scalar(value);
  if (text === '')
    throw new RequestBuildError(
      `Path parameter "${name}" is empty; it must be one non-empty segment of the path.`,
    );
  // The common case, letters, digits, '-', '_' and '~' only: no decoding changes it (no '%', and
  // NFKC leaves ASCII alone), it has no dot or separator, and percent-encoding leaves it as is.
  if (PLAIN_SEGMENT.test(text)) return text;
  for (const form of decodings(text)) {
    if (form.split(/[/\\;?#]/).some(isDotSegment))
      throw new RequestBuildError(
        `Path parameter "${name}" may not be or contain "." or ".." segments (in any encoding): a path parameter is exactly one segment of the action's path, and these would change which path is called.`,
      );
  }
  try {
    return encodeURIComponent(text);
  } catch {
    throw new RequestBuildError(`Path parameter "${name}" is not valid text (it has a lone surrogate).`);
  }
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Adds the connection's credentials the way the connector's auth config says; returns where they went.
 */
export function applyAuth(
  auth: AuthConfig | undefined,
  credentials: Credentials | undefined,
  headers: Record<string, string>,
  url: URL,
): CredentialPlaces {
  const places: CredentialPlaces = { headers: [], query: [] };
  if (!credentials) return places;
  const setHeader = (name: string, value: string) => {
    headers[name.toLowerCase()] = value;
    places.headers.push(name.toLowerCase());
  };
  const scheme = auth?.scheme ?? 'none';
  if (scheme === 'api_key' && credentials.api_key) {
    const name = auth?.name ?? 'X-API-Key';
    if (auth?.in === 'query') {
      url.searchParams.set(name, credentials.api_key);
      places.query.push(name);
    } else setHeader(name, credentials.api_key);
  } else if (scheme === 'basic' && credentials.username !== undefined) {
    setHeader(
      'authorization',
      `Basic ${Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64')}`,
    );
  } else if (
    (scheme === 'bearer' || scheme === 'oauth2') &&
    (credentials.access_token ?? credentials.token)
  ) {
    setHeader('authorization', `Bearer ${credentials.access_token ?? credentials.token}`);
  } else if (scheme === 'none' && (credentials.token || credentials.access_token)) {
    setHeader('authorization', `Bearer ${credentials.access_token ?? credentials.token}`);
  }
  for (const [name, value] of Object.entries(credentials.headers ?? {})) setHeader(name, value);
  return places;
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
    if (param.in === 'path')
      path = path.split(`{${param.name}}`).join(pathSegment(param.arg ?? param.name, value));
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
  const places = applyAuth(auth, credentials, headers, url);
  return { method: mapping.method, url: url.toString(), headers, body, credentials: places };
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
