import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../store/database';

/** An authorization_code flow waiting for its callback; single use, short-lived. */
export interface PendingAuth {
  state: string;
  customerId: string;
  connectorId: string;
  /** PKCE code verifier, sealed with the workspace secret box. */
  verifier: string;
  redirectUri: string;
  createdAt: number;
}

const TTL_MS = 15 * 60 * 1000;

export const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * Records a pending flow in the database (so a URL made through the CLI completes in the server).
 * Returns the state and the plain verifier.
 */
export async function createPending(
  database: Database,
  entry: Omit<PendingAuth, 'state' | 'createdAt' | 'verifier'>,
  seal: (verifier: string, state: string) => string,
): Promise<{ state: string; verifier: string }> {
  const state = randomBytes(24).toString('base64url');
  const verifier = randomBytes(48).toString('base64url');
  const createdAt = Date.now();
  const pending: PendingAuth = { ...entry, state, verifier: seal(verifier, state), createdAt };
  await database.write(async (tx) => {
    await tx.deleteFrom('oauth_pending').where('expires_at', '<', createdAt).execute();
    await tx
      .insertInto('oauth_pending')
      .values({ state, data: JSON.stringify(pending), expires_at: createdAt + TTL_MS })
      .execute();
  });
  return { state, verifier };
}

/** Takes (and removes) a pending flow by state: a state works once, and only within its lifetime. */
export async function takePending(database: Database, state: string): Promise<PendingAuth | undefined> {
  return database.write(async (tx) => {
    const row = await tx
      .selectFrom('oauth_pending')
      .selectAll()
      .where('state', '=', state)
      .executeTakeFirst();
    if (!row) return undefined;
    await tx.deleteFrom('oauth_pending').where('state', '=', state).execute();
    if (row.expires_at < Date.now()) return undefined;
    const parsed: unknown = JSON.parse(row.data);
    return parsed && typeof parsed === 'object' ? (parsed as PendingAuth) : undefined;
  });
}
