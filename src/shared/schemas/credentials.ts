import { z } from 'zod';

/** Credential kinds a connection can hold (CONTRACT §3). Stored sealed; never shown after creation. */
export const credentialsSchema = z
  .strictObject({
    api_key: z
      .string()
      .min(1)
      .optional()
      .describe('API key, sent where the auth config says (header or query).'),
    token: z.string().min(1).optional().describe('Bearer token.'),
    username: z.string().optional().describe('Basic auth user name (with password).'),
    password: z.string().optional().describe('Basic auth password (with username).'),
    access_token: z.string().min(1).optional().describe('OAuth2 access token.'),
    refresh_token: z.string().min(1).optional().describe('OAuth2 refresh token.'),
    expires_at: z.string().optional().describe('When the access token expires (ISO-8601).'),
    env: z
      .record(z.string(), z.string())
      .optional()
      .describe('Environment variables for a stdio MCP server (e.g. GITHUB_TOKEN).'),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe('Headers for an HTTP upstream (e.g. Authorization).'),
  })
  .describe("The customer's credentials for this connector.");
export type Credentials = z.infer<typeof credentialsSchema>;
