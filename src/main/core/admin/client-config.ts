import type { EntryPoint } from '../activity/activity-log';
import { maskedKey, verifyApiKey } from '../auth/api-keys';
import {
  CLIENT_IDS,
  ClientConfigError,
  type ClientDefinition,
  entryNameFor,
  getClient,
  PORTICO_PREFIX,
} from '../clients';
import type { Workspace } from '../store/schema';
import { mintKey } from './keys';
import { type AdminContext, ToolError } from './registry';

/**
 * What the client-config tools share: which entry a plane and customer get, and the keys minted
 * for entries. The entry itself is built in client-entry.ts; the tools are client-config-*.ts.
 */

export interface ClientTarget {
  plane: 'admin' | 'gateway';
  customerId?: string;
}

/** Stands for the key wherever it is not shown: same shape as a masked key elsewhere. */
export const KEY_MASK = maskedKey('••••••••');

function checkPlane(plane: 'admin' | 'gateway', customerId: string | undefined): ClientTarget {
  if (plane === 'admin') {
    if (customerId) {
      throw new ToolError(
        'The admin plane is not per customer: drop the customer, or use plane "gateway" for a customer.',
      );
    }
    return { plane };
  }
  if (!customerId) {
    throw new ToolError(
      'The gateway plane serves one customer per entry: give the customer id (--customer ID / customer_id).',
    );
  }
  return { plane, customerId };
}

/** The target of a `plane` + optional customer, checked against the workspace. */
export function resolveTarget(ws: Workspace, plane: 'admin' | 'gateway', customerId?: string): ClientTarget {
  const target = checkPlane(plane, customerId);
  if (target.customerId !== undefined && !Object.hasOwn(ws.customers, target.customerId)) {
    throw new ToolError(
      `Unknown customer "${target.customerId}". Create it first (create_customer) or list them with list_customers.`,
    );
  }
  return target;
}

/** The target of an entry to remove: a customer deleted since still has an entry to take out. */
export function removalTarget(plane: 'admin' | 'gateway', customerId?: string): ClientTarget {
  return checkPlane(plane, customerId);
}

/** `portico-admin` → admin; `portico-<id>` → that customer's gateway. */
export function targetFromEntryName(name: string): ClientTarget | undefined {
  if (!name.startsWith(PORTICO_PREFIX)) return undefined;
  const rest = name.slice(PORTICO_PREFIX.length);
  if (rest === 'admin') return { plane: 'admin' };
  return rest ? { plane: 'gateway', customerId: rest } : undefined;
}

export function entryName(target: ClientTarget): string {
  return entryNameFor(target.plane, target.customerId);
}

/** The id of a key that is this workspace's own (its secret matches) and not yet revoked. */
export function liveKeyId(ws: Workspace, key: string | undefined): string | undefined {
  if (!key) return undefined;
  const check = verifyApiKey(key, ws.apiKeys);
  return check.ok ? check.key.id : undefined;
}

/** Where an entry's key was minted from, as its name says: `portico clients add` for the CLI. */
const ADDED_VIA: Record<EntryPoint, string> = {
  cli: 'portico clients add',
  tray: 'Portico tray',
  ipc: 'Portico app',
  api: 'Portico API',
  mcp: 'admin MCP',
  oauth: 'Portico',
  internal: 'Portico',
};

export function addedVia(entryPoint: EntryPoint): string {
  return ADDED_VIA[entryPoint];
}

/** What a key minted for a client is called, so it can be found and revoked on its own. */
export function clientKeyName(client: ClientDefinition, target: ClientTarget, via: string): string {
  const forWhom = target.plane === 'gateway' ? `, customer ${target.customerId}` : '';
  return `${client.displayName}${forWhom} (${via})`;
}

/**
 * The id of `key` if Portico minted it for this very entry — a live key of this workspace named for
 * this client and target — so that it may be revoked with the entry. A key the user pasted in by
 * hand (their first admin key, say) is not.
 */
export function keyMintedFor(
  ws: Workspace,
  client: ClientDefinition,
  target: ClientTarget,
  key: string | undefined,
): string | undefined {
  const id = liveKeyId(ws, key);
  const record = id && Object.hasOwn(ws.apiKeys, id) ? ws.apiKeys[id] : undefined;
  const prefix = clientKeyName(client, target, '').slice(0, -')'.length);
  return record?.name.startsWith(prefix) ? id : undefined;
}

/** Mints a key for one client: scope = plane, restricted to the customer on the gateway plane. */
export function mintClientKey(
  ctx: AdminContext,
  client: ClientDefinition,
  target: ClientTarget,
  via: string,
): { id: string; key: string; name: string } {
  const { record, key } = ctx.store.mutate((ws) =>
    mintKey(ws, {
      name: clientKeyName(client, target, via),
      scope: target.plane,
      customers: target.customerId ? [target.customerId] : null,
    }),
  );
  ctx.events.emit('key.created', { key_id: record.id, name: record.name, scope: record.scope });
  return { id: record.id, key, name: record.name };
}

/** Deletes a key nobody was given (its entry was never written). */
export async function unmintKey(ctx: AdminContext, id: string): Promise<void> {
  ctx.store.mutate((ws) => {
    delete ws.apiKeys[id];
  });
  await ctx.store.flushed().catch(() => {});
}

/** Revokes keys by id (those already revoked or gone are skipped); returns the ids it revoked. */
export function revokeKeys(ctx: AdminContext, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const revoked = ctx.store.mutate((ws) => {
    const done: { id: string; name: string }[] = [];
    for (const id of ids) {
      const key = Object.hasOwn(ws.apiKeys, id) ? ws.apiKeys[id] : undefined;
      if (!key || key.revokedAt) continue;
      key.revokedAt = new Date().toISOString();
      done.push({ id, name: key.name });
    }
    return done;
  });
  for (const key of revoked) ctx.events.emit('key.revoked', { key_id: key.id, name: key.name });
  return revoked.map((k) => k.id);
}

export function clientById(id: string): ClientDefinition {
  const client = getClient(id);
  if (!client) {
    throw new ToolError(`Unknown client "${id}". Known clients: ${CLIENT_IDS.join(', ')}.`);
  }
  return client;
}

/** A config file that cannot be read or written is the caller's to fix: its message (file, line, column) as-is. */
export function asToolError(error: unknown): unknown {
  return error instanceof ClientConfigError ? new ToolError(error.message) : error;
}

/** Anything that looks like a Portico key. */
const KEY_PATTERN = /ptc_[A-Za-z0-9]+_[A-Za-z0-9]+/g;

/** `text` with every Portico key but `shown` masked. */
export function maskKeys(text: string, shown?: string): string {
  return text.replace(KEY_PATTERN, (key) => (key === shown ? key : KEY_MASK));
}
