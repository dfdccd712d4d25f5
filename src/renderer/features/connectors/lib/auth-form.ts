// The auth config form: set_auth_config's own schema (the flat fields), plus the rules its
// handler applies — so an invalid config shows field errors and nothing is written.
import { z } from 'zod';
import { setAuthConfig } from '../../../../shared/admin/auth';
import type { ToolInput, ToolOutput } from '../../../../shared/registry';

/** An HTTP header name (RFC 9110 token): what a request can actually carry. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const httpUrl = (v: string | undefined) => {
  try {
    const url = new URL(v ?? '');
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

export const authFormSchema = setAuthConfig.input
  .pick({
    scheme: true,
    in: true,
    name: true,
    grant: true,
    client_id: true,
    client_secret: true,
    authorize_url: true,
    token_url: true,
  })
  .extend({ scopes: z.string().optional() })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (v.scheme === 'api_key') {
      const name = v.name?.trim() ?? '';
      if (!name) issue('name', `Enter the ${v.in === 'query' ? 'query parameter' : 'header'} name.`);
      else if (v.in !== 'query' && !HEADER_NAME.test(name))
        issue('name', 'A header name has no spaces or separators, e.g. "X-API-Key".');
    }
    if (v.scheme === 'oauth2') {
      if (!v.client_id?.trim())
        issue('client_id', "Enter the client id from the provider's app registration.");
      if (!httpUrl(v.token_url)) issue('token_url', 'Enter the token endpoint, an http(s) URL.');
      if ((v.grant ?? 'authorization_code') === 'authorization_code' && !httpUrl(v.authorize_url))
        issue('authorize_url', 'Enter the authorization endpoint, an http(s) URL.');
      if (v.grant === 'client_credentials' && !v.client_secret)
        issue('client_secret', 'The client_credentials grant needs the client secret.');
    }
  });

export type AuthFormValues = z.input<typeof authFormSchema>;
type AuthConfig = ToolOutput<'get_auth_config'>;

export function authDefaults(config: AuthConfig | undefined): AuthFormValues {
  const scheme = authFormSchema.shape.scheme.safeParse(config?.scheme);
  const o = config?.oauth2;
  return {
    scheme: scheme.success ? scheme.data : 'none',
    in: config?.in === 'query' ? 'query' : 'header',
    name: config?.name ?? '',
    grant: o?.grant === 'client_credentials' ? 'client_credentials' : 'authorization_code',
    client_id: o?.client_id ?? '',
    client_secret: '',
    authorize_url: o?.authorize_url ?? '',
    token_url: o?.token_url ?? '',
    scopes: o?.scopes.join(' ') ?? '',
  };
}

/** Only the fields of the chosen scheme go to the server. */
export function authInput(
  connectorId: string,
  v: z.output<typeof authFormSchema>,
): ToolInput<'set_auth_config'> {
  if (v.scheme === 'api_key')
    return { connector_id: connectorId, scheme: 'api_key', in: v.in ?? 'header', name: v.name?.trim() };
  if (v.scheme === 'oauth2') {
    const grant = v.grant ?? 'authorization_code';
    return {
      connector_id: connectorId,
      scheme: 'oauth2',
      grant,
      client_id: v.client_id?.trim(),
      token_url: v.token_url?.trim(),
      ...(grant === 'authorization_code' ? { authorize_url: v.authorize_url?.trim() } : {}),
      ...(v.client_secret ? { client_secret: v.client_secret } : {}),
      scopes: (v.scopes ?? '').split(/[\s,]+/).filter(Boolean),
    };
  }
  return { connector_id: connectorId, scheme: v.scheme };
}
