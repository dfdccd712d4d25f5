/** What admin tools and catalog entries accept as a connector's auth: one schema for both. */
import { z } from 'zod';
import { authSchemeSchema } from './entities';

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
