import { z } from 'zod';
import { authSchemeSchema } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { httpUrl } from './common';
import type { AuthDraft } from './connector-records';
import { ToolError } from './registry';

const oauth2Fields = {
  grant: z
    .enum(['authorization_code', 'client_credentials'])
    .optional()
    .describe('oauth2: "authorization_code" (with PKCE) or "client_credentials".'),
  client_id: z.string().optional().describe('oauth2: the client id registered with the provider.'),
  client_secret: z.string().optional().describe('oauth2: the client secret (write-only; stored encrypted).'),
  authorize_url: z
    .string()
    .optional()
    .describe("oauth2 authorization_code: the provider's authorization endpoint."),
  token_url: z.string().optional().describe("oauth2: the provider's token endpoint."),
  scopes: z.array(z.string()).optional().describe('oauth2: scopes to request.'),
};

/** Auth config fields, flat; `api_key` and `oauth2` may also be given as nested objects. */
export const authInputShape = {
  scheme: authSchemeSchema.describe('"none", "api_key", "bearer", "basic" or "oauth2".'),
  in: z.enum(['header', 'query']).optional().describe('api_key: where the key goes (default "header").'),
  name: z
    .string()
    .optional()
    .describe('api_key: the header or query parameter name (e.g. "X-API-Key", "token").'),
  ...oauth2Fields,
  api_key: z
    .strictObject({ in: z.enum(['header', 'query']), name: z.string() })
    .optional()
    .describe('Alternative to `in`/`name`: {in, name}.'),
  oauth2: z.strictObject(oauth2Fields).optional().describe('Alternative to the flat oauth2 fields.'),
};
const authInputObject = z.strictObject(authInputShape);
export type AuthInput = z.infer<typeof authInputObject>;
export const authInputSchema = authInputObject.describe('How requests authenticate: {scheme, …}.');

/** Validates an auth input and turns it into a stored auth config (client secret sealed). */
export function toAuthDraft(input: AuthInput, store: WorkspaceStore, connectorId: string): AuthDraft {
  const o = { ...input, ...(input.oauth2 ?? {}) };
  switch (input.scheme) {
    case 'none':
    case 'bearer':
    case 'basic':
      return { scheme: input.scheme };
    case 'api_key': {
      const where = input.api_key?.in ?? input.in ?? 'header';
      const name = input.api_key?.name ?? input.name ?? (where === 'header' ? 'X-API-Key' : 'api_key');
      return { scheme: 'api_key', in: where, name };
    }
    case 'oauth2': {
      const grant = o.grant ?? 'authorization_code';
      if (!o.client_id)
        throw new ToolError("oauth2 needs `client_id` (from the provider's app registration).");
      if (!o.token_url) throw new ToolError("oauth2 needs `token_url` (the provider's token endpoint).");
      if (grant === 'authorization_code' && !o.authorize_url) {
        throw new ToolError(
          "oauth2 authorization_code needs `authorize_url` (the provider's authorization endpoint).",
        );
      }
      if (grant === 'client_credentials' && !o.client_secret)
        throw new ToolError('oauth2 client_credentials needs `client_secret`.');
      return {
        scheme: 'oauth2',
        oauth2: {
          grant,
          clientId: o.client_id,
          clientSecret: o.client_secret
            ? store.secrets.seal(o.client_secret, `auth:${connectorId}`)
            : undefined,
          authorizeUrl: o.authorize_url ? httpUrl(o.authorize_url, 'authorize_url') : undefined,
          tokenUrl: httpUrl(o.token_url, 'token_url'),
          scopes: o.scopes ?? [],
        },
      };
    }
  }
}
