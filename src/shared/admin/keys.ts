// Contracts of the API key tools; their handlers are in src/main/core/admin/keys.ts.
import { z } from 'zod';
import { apiKeyScopeSchema } from '../schemas/entities';
import { pageInput, pageOutput } from './common';
import { contract } from './contract';
import { rateLimitsOutput } from './governance';

export const keyOutput = z.object({
  id: z.string().describe('Key id (the 8 characters after "ptc_").'),
  name: z.string(),
  scope: apiKeyScopeSchema,
  customers: z.array(z.string()).nullable().describe('Customers a gateway key may reach; null = all.'),
  masked: z.string().describe('The key with its secret hidden.'),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  limits: rateLimitsOutput.optional().describe('Rate limits set with set_rate_limits (absent: none).'),
});

export const listApiKeys = contract({
  name: 'list_api_keys',
  title: 'List API keys',
  description:
    'List API keys (masked — a key is shown only once, when created) with scope, customer restriction, last use and revocation.',
  input: z.strictObject({
    ...pageInput,
    include_revoked: z.boolean().default(false).describe('Also list revoked keys.'),
  }),
  output: z.object({ keys: z.array(keyOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const createApiKey = contract({
  name: 'create_api_key',
  title: 'Create an API key',
  description:
    'Create an API key. Scope "admin" opens /mcp/admin; scope "gateway" opens /mcp/gateway, optionally only for some customers. ' +
    'The key is returned once in `key` — store it now; it cannot be shown again.',
  input: z.strictObject({
    name: z.string().min(1).max(200).describe('What the key is for, e.g. "Cursor on my laptop".'),
    scope: apiKeyScopeSchema.describe('"admin" (control plane) or "gateway" (data plane).'),
    customers: z.array(z.string()).optional().describe('Gateway keys only: restrict to these customer ids.'),
  }),
  output: keyOutput.extend({ key: z.string().describe('The full key. Shown only in this response.') }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
});

export const revokeApiKey = contract({
  name: 'revoke_api_key',
  title: 'Revoke an API key',
  description: 'Revoke an API key by id. It stops working immediately, also for sessions already open.',
  input: z.strictObject({
    key_id: z.string().describe('The key id (8 characters), as shown by list_api_keys.'),
  }),
  output: keyOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
});

/** The API key tools, in the order they are listed. */
export const keyContracts = [listApiKeys, createApiKey, revokeApiKey] as const;
