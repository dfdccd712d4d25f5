import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Database, Db, WriteTx } from '../store/database';

const planeSchema = z.enum(['admin', 'gateway']);

/** What a grant row's `data` holds besides its columns. */
const grantData = z.object({
  clientName: z.string(),
  redirectUri: z.string(),
  /** Gateway grants: the customers the client may reach (null = every customer). */
  customers: z.array(z.string()).nullable(),
  /** Who approved it: an API key id, or "web-ui". */
  approvedBy: z.string(),
});

/** An MCP client's approved access to one plane: exactly the powers an API key of that scope would have. */
export interface Grant extends z.infer<typeof grantData> {
  id: string;
  clientId: string;
  plane: z.infer<typeof planeSchema>;
  createdAt: string;
  revokedAt: string | null;
}

interface GrantRow {
  id: string;
  client_id: string;
  plane: string;
  data: string;
  created_at: string;
  revoked_at: string | null;
}

export function grantFromRow(row: GrantRow): Grant {
  return {
    ...grantData.parse(JSON.parse(row.data)),
    id: row.id,
    clientId: row.client_id,
    plane: planeSchema.parse(row.plane),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export async function createGrant(
  tx: WriteTx,
  grant: Omit<Grant, 'id' | 'createdAt' | 'revokedAt'>,
): Promise<Grant> {
  const record: Grant = {
    ...grant,
    id: `g${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`,
    createdAt: new Date().toISOString(),
    revokedAt: null,
  };
  const data: z.infer<typeof grantData> = {
    clientName: grant.clientName,
    redirectUri: grant.redirectUri,
    customers: grant.customers,
    approvedBy: grant.approvedBy,
  };
  await tx
    .insertInto('oauth_grants')
    .values({
      id: record.id,
      client_id: record.clientId,
      plane: record.plane,
      data: JSON.stringify(data),
      created_at: record.createdAt,
      revoked_at: null,
    })
    .execute();
  return record;
}

/** Every grant, newest first (a workspace has few; they are paginated by the caller). */
export async function listGrants(db: Db): Promise<Grant[]> {
  const rows = await db.selectFrom('oauth_grants').selectAll().orderBy('created_at', 'desc').execute();
  return rows.map(grantFromRow);
}

export async function getGrant(db: Db, id: string): Promise<Grant | undefined> {
  const row = await db.selectFrom('oauth_grants').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? grantFromRow(row) : undefined;
}

/** Marks a grant revoked and deletes its tokens, inside a write transaction. */
export async function revokeGrantIn(tx: WriteTx, id: string): Promise<void> {
  await tx
    .updateTable('oauth_grants')
    .set({ revoked_at: new Date().toISOString() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
  await tx.deleteFrom('oauth_tokens').where('grant_id', '=', id).execute();
}

const revokedListeners = new Set<(grantId: string) => void>();

/** Called with a grant's id when this process revokes it (the server closes its open sessions). */
export function onGrantRevoked(listener: (grantId: string) => void): () => void {
  revokedListeners.add(listener);
  return () => revokedListeners.delete(listener);
}

export function announceRevoked(grantId: string): void {
  for (const listener of revokedListeners) listener(grantId);
}

/** Revokes a grant: its tokens stop working at once, in every process on this database. */
export async function revokeGrant(database: Database, id: string): Promise<Grant | undefined> {
  const grant = await database.write(async (tx) => {
    const row = await tx.selectFrom('oauth_grants').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    await revokeGrantIn(tx, id);
    return grantFromRow({ ...row, revoked_at: row.revoked_at ?? new Date().toISOString() });
  });
  if (grant) announceRevoked(id);
  return grant;
}
