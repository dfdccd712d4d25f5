import { z } from 'zod';
import { generateApiKey, maskedKey } from '../auth/api-keys';
import { type ApiKey, apiKeyScopeSchema, type Workspace } from '../store/schema';
import { byId, now } from './common';
import { pageInput, pageOutput, paginate } from './pagination';
import { type AdminContext, defineTool, ToolError } from './registry';

export const keyOutput = z.object({
  id: z.string().describe('Key id (the 8 characters after "ptc_").'),
  name: z.string(),
  scope: apiKeyScopeSchema,
  customers: z.array(z.string()).nullable().describe('Customers a gateway key may reach; null = all.'),
  masked: z.string().describe('The key with its secret hidden.'),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export function keyView(key: ApiKey, ctx: AdminContext): z.infer<typeof keyOutput> {
  return {
    id: key.id,
    name: key.name,
    scope: key.scope,
    customers: key.customers,
    masked: maskedKey(key.id),
    created_at: key.createdAt,
    last_used_at: ctx.keyUsage.lastUsed(key.id),
    revoked_at: key.revokedAt,
  };
}

export interface NewKeyRequest {
  name: string;
  scope: 'admin' | 'gateway';
  customers?: string[] | null;
}

/** Mints a key inside a store mutation; the full key is returned once and never stored. */
export function mintKey(ws: Workspace, request: NewKeyRequest): { record: ApiKey; key: string } {
  const customers = request.customers?.length ? [...new Set(request.customers)] : null;
  if (customers && request.scope !== 'gateway') {
    throw new ToolError(
      'Only gateway keys can be restricted to customers; drop `customers` or use scope "gateway".',
    );
  }
  const unknown = (customers ?? []).filter((id) => !ws.customers[id]);
  if (unknown.length) {
    throw new ToolError(
      `Unknown customer id(s): ${unknown.join(', ')}. Create them first with create_customer.`,
    );
  }
  const { id, key, hash } = generateApiKey(Object.keys(ws.apiKeys));
  const record: ApiKey = {
    id,
    name: request.name,
    scope: request.scope,
    customers,
    hash,
    createdAt: now(),
    revokedAt: null,
  };
  ws.apiKeys[id] = record;
  return { record, key };
}

const listApiKeys = defineTool({
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
  handler({ cursor, limit, include_revoked }, ctx) {
    const all = byId(ctx.store.data.apiKeys).filter((k) => include_revoked || !k.revokedAt);
    const { page, ...rest } = paginate(all, cursor, limit);
    return { keys: page.map((k) => keyView(k, ctx)), ...rest };
  },
});

const createApiKey = defineTool({
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
  handler(input, ctx) {
    const { record, key } = ctx.store.mutate((ws) => mintKey(ws, input));
    ctx.events.emit('key.created', { key_id: record.id, name: record.name, scope: record.scope });
    return { ...keyView(record, ctx), key };
  },
});

const revokeApiKey = defineTool({
  name: 'revoke_api_key',
  title: 'Revoke an API key',
  description: 'Revoke an API key by id. It stops working immediately, also for sessions already open.',
  input: z.strictObject({
    key_id: z.string().describe('The key id (8 characters), as shown by list_api_keys.'),
  }),
  output: keyOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  handler({ key_id }, ctx) {
    const id = key_id.replace(/^ptc_/, '').split('_')[0] ?? key_id;
    const record = ctx.store.mutate((ws) => {
      const key = ws.apiKeys[id];
      if (!key) throw new ToolError(`No API key with id "${id}". Use list_api_keys to see the ids.`);
      key.revokedAt ??= now();
      return key;
    });
    ctx.events.emit('key.revoked', { key_id: record.id, name: record.name });
    return keyView(record, ctx);
  },
});

export const keyTools = [listApiKeys, createApiKey, revokeApiKey] as const;
