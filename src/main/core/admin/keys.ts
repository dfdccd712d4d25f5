import type { z } from 'zod';
import type { keyOutput } from '../../../shared/admin/keys';
import * as contracts from '../../../shared/admin/keys';
import { generateApiKey, maskedKey } from '../auth/api-keys';
import type { ApiKey, Workspace } from '../store/schema';
import { byId, now } from './common';
import { rateLimitsView } from './governance';
import { paginate } from './pagination';
import { type AdminContext, implement, ToolError } from './registry';

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
    ...(key.limits ? { limits: rateLimitsView(key.limits) } : {}),
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

const listApiKeys = implement(contracts.listApiKeys, ({ cursor, limit, include_revoked }, ctx) => {
  const all = byId(ctx.store.data.apiKeys).filter((k) => include_revoked || !k.revokedAt);
  const { page, ...rest } = paginate(all, cursor, limit);
  return { keys: page.map((k) => keyView(k, ctx)), ...rest };
});

const createApiKey = implement(contracts.createApiKey, (input, ctx) => {
  const { record, key } = ctx.store.mutate((ws) => mintKey(ws, input));
  ctx.events.emit('key.created', { key_id: record.id, name: record.name, scope: record.scope });
  return { ...keyView(record, ctx), key };
});

const revokeApiKey = implement(contracts.revokeApiKey, ({ key_id }, ctx) => {
  const id = key_id.replace(/^ptc_/, '').split('_')[0] ?? key_id;
  const record = ctx.store.mutate((ws) => {
    const key = ws.apiKeys[id];
    if (!key) throw new ToolError(`No API key with id "${id}". Use list_api_keys to see the ids.`);
    key.revokedAt ??= now();
    return key;
  });
  ctx.events.emit('key.revoked', { key_id: record.id, name: record.name });
  return keyView(record, ctx);
});

export const keyTools = [listApiKeys, createApiKey, revokeApiKey] as const;
