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

export const MASK = '••••••••';

/** Credentials with every value replaced by a mask, keeping the shape (which fields and env/header names are set). */
export function maskCredentials(keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const [field, sub] = key.split('.', 2) as [string, string | undefined];
    if (sub !== undefined) {
      const map = (out[field] as Record<string, string> | undefined) ?? {};
      map[sub] = MASK;
      out[field] = map;
    } else out[field] = MASK;
  }
  return out;
}

/** The field names present, with env/header names as `env.NAME` — stored in clear for masked display. */
export function credentialKeys(credentials: Credentials): string[] {
  const keys: string[] = [];
  for (const [field, value] of Object.entries(credentials)) {
    if (value === undefined) continue;
    if (typeof value === 'object') for (const sub of Object.keys(value)) keys.push(`${field}.${sub}`);
    else keys.push(field);
  }
  return keys.sort();
}

/** Every secret string in a credentials object, for redaction. */
export function secretValues(credentials: Credentials | undefined): string[] {
  if (!credentials) return [];
  const values: string[] = [];
  for (const [field, value] of Object.entries(credentials)) {
    if (field === 'username' || field === 'expires_at' || value === undefined) continue;
    if (typeof value === 'object') values.push(...Object.values(value));
    else values.push(value);
  }
  return values.filter((v) => v.length >= 4);
}
