/** The connector's base URL and auth, as the document describes them. */
import { asObject, asString, isObject, type Json } from './util';

export interface ImportedAuth {
  scheme: 'none' | 'api_key' | 'bearer' | 'basic' | 'oauth2';
  in?: 'header' | 'query';
  name?: string;
  oauth2?: {
    grant: 'authorization_code' | 'client_credentials';
    authorizeUrl?: string;
    tokenUrl: string;
    scopes: string[];
  };
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** servers[0] (variables → their defaults) for OpenAPI 3; schemes + host + basePath for Swagger 2. */
export function baseUrlOf(
  doc: Json,
  version: 2 | 3,
  specUrl: string | undefined,
  warnings: string[],
): string | null {
  if (version === 2) {
    const host = asString(doc.host);
    const basePath = asString(doc.basePath) ?? '';
    const schemes = Array.isArray(doc.schemes)
      ? doc.schemes.filter((s): s is string => typeof s === 'string')
      : [];
    const specBase = specUrl ? new URL(specUrl) : undefined;
    const scheme = schemes.includes('https')
      ? 'https'
      : (schemes[0] ?? specBase?.protocol.replace(':', '') ?? 'https');
    if (host) return trimSlash(`${scheme}://${host}${basePath}`);
    if (specBase) return trimSlash(`${specBase.origin}${basePath}`);
    warnings.push('The document has no "host": set the connector\'s base URL by hand.');
    return null;
  }
  const servers = Array.isArray(doc.servers) ? doc.servers : [];
  const server = asObject(servers[0]);
  let url = asString(server.url);
  if (url === undefined) {
    if (specUrl) return trimSlash(new URL('/', specUrl).toString());
    warnings.push('The document has no "servers": set the connector\'s base URL by hand.');
    return null;
  }
  const variables = asObject(server.variables);
  url = url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const v = asObject(variables[name]);
    const value = asString(v.default) ?? (Array.isArray(v.enum) ? asString(v.enum[0]) : undefined);
    if (value === undefined) {
      warnings.push(`Server variable "${name}" in servers[0].url has no default; left as ${whole}.`);
      return whole;
    }
    return value;
  });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return trimSlash(url);
  if (specUrl) {
    try {
      return trimSlash(new URL(url, specUrl).toString());
    } catch {
      // fall through: not a usable relative URL either
    }
  }
  warnings.push(`servers[0].url "${url}" is relative: set the connector's base URL by hand.`);
  return null;
}

type Requirement = Record<string, string[]>;

function requirements(value: unknown): Requirement[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isObject)
    .map((req) =>
      Object.fromEntries(
        Object.entries(req).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [],
        ]),
      ),
    );
}

/**
 * The first usable security scheme: those the global `security` names first, then those operations
 * name, then any defined. OAuth2 scopes are the union of what the requirements ask for.
 */
export function authOf(
  doc: Json,
  version: 2 | 3,
  operations: Json[],
  baseUrl: string | null,
  warnings: string[],
): ImportedAuth | null {
  const schemes = asObject(
    version === 2 ? doc.securityDefinitions : asObject(doc.components).securitySchemes,
  );
  const names = Object.keys(schemes);
  if (names.length === 0) return null;

  const global = requirements(doc.security);
  const reqs = [...global, ...operations.flatMap((op) => requirements(op.security))];
  const order = [...new Set([...reqs.flatMap((r) => Object.keys(r)), ...names])].filter((n) => n in schemes);
  const scopesFor = (name: string) => [...new Set(reqs.flatMap((r) => r[name] ?? []))];

  const skipped: string[] = [];
  for (const name of order) {
    const auth = toAuth(asObject(schemes[name]), version, scopesFor(name), baseUrl);
    if (typeof auth === 'string') {
      skipped.push(`"${name}" (${auth})`);
      continue;
    }
    if (skipped.length > 0)
      warnings.push(`Security schemes not usable by Portico: ${skipped.join(', ')}; imported "${name}".`);
    const used = new Set(reqs.flatMap((r) => Object.keys(r)));
    const others = [...used].filter((n) => n !== name && n in schemes);
    if (others.length > 0) {
      warnings.push(
        `The document also uses security scheme(s) ${others.map((o) => `"${o}"`).join(', ')}; imported "${name}".`,
      );
    }
    return auth;
  }
  warnings.push(`No usable security scheme: ${skipped.join(', ')}. Configure auth by hand.`);
  return null;
}

/** The scheme as Portico's auth config, or a reason why it can't be used. */
function toAuth(s: Json, version: 2 | 3, scopes: string[], baseUrl: string | null): ImportedAuth | string {
  const type = asString(s.type);
  if (type === 'basic') return { scheme: 'basic' };
  if (type === 'http') {
    const scheme = (asString(s.scheme) ?? '').toLowerCase();
    if (scheme === 'basic') return { scheme: 'basic' };
    if (scheme === 'bearer') return { scheme: 'bearer' };
    return `HTTP ${scheme || 'unknown'} auth is not supported`;
  }
  if (type === 'apiKey') {
    const where = asString(s.in);
    const name = asString(s.name);
    if (!name) return 'API key without a name';
    if (where === 'header' || where === 'query') return { scheme: 'api_key', in: where, name };
    return `API key in ${where ?? 'an unknown place'} is not supported`;
  }
  if (type === 'oauth2') {
    const abs = (url: string | undefined) => {
      if (!url) return undefined;
      try {
        return new URL(url, baseUrl ?? undefined).toString();
      } catch {
        return url;
      }
    };
    if (version === 2) {
      const flow = asString(s.flow);
      const tokenUrl = abs(asString(s.tokenUrl));
      if (flow === 'accessCode' && tokenUrl) {
        return oauth('authorization_code', tokenUrl, scopes, abs(asString(s.authorizationUrl)));
      }
      if (flow === 'application' && tokenUrl) return oauth('client_credentials', tokenUrl, scopes);
      return `OAuth2 "${flow ?? '?'}" flow is not supported`;
    }
    const flows = asObject(s.flows);
    const code = asObject(flows.authorizationCode);
    const cc = asObject(flows.clientCredentials);
    const codeToken = abs(asString(code.tokenUrl));
    if (codeToken)
      return oauth('authorization_code', codeToken, scopes, abs(asString(code.authorizationUrl)));
    const ccToken = abs(asString(cc.tokenUrl));
    if (ccToken) return oauth('client_credentials', ccToken, scopes);
    return `OAuth2 flows ${Object.keys(flows).join(', ') || 'none'} are not supported`;
  }
  return `${type ?? 'unknown'} is not supported`;
}

function oauth(
  grant: 'authorization_code' | 'client_credentials',
  tokenUrl: string,
  scopes: string[],
  authorizeUrl?: string,
): ImportedAuth {
  return { scheme: 'oauth2', oauth2: { grant, ...(authorizeUrl ? { authorizeUrl } : {}), tokenUrl, scopes } };
}
