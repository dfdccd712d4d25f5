import type { z } from 'zod';
import type { oauthGrantOutput } from '../../../shared/admin/oauth-clients';
import * as contracts from '../../../shared/admin/oauth-clients';
import { type Grant, getGrant, listGrants, revokeGrant } from '../oauth/grants';
import { decisionRedirect, getRequest, saveCode, takeRequest } from '../oauth/requests';
import type { Database } from '../store/database';
import { paginate } from './pagination';
import { type AdminContext, implement, ToolError } from './registry';

function grantView(grant: Grant, ctx: AdminContext): z.infer<typeof oauthGrantOutput> {
  return {
    id: grant.id,
    client_id: grant.clientId,
    client_name: grant.clientName,
    plane: grant.plane,
    customers: grant.customers,
    approved_by: grant.approvedBy,
    created_at: grant.createdAt,
    last_used_at: ctx.keyUsage.lastUsed(`oauth:${grant.id}`),
    revoked_at: grant.revokedAt,
  };
}

function database(ctx: AdminContext): Database {
  const db = ctx.store.database;
  if (!db) throw new ToolError('OAuth for MCP clients needs the workspace database; start `portico serve`.');
  return db;
}

const gone = (id: string) =>
  new ToolError(
    `No pending OAuth authorization request "${id}": it was already decided or expired (requests last 15 minutes). Ask the client to sign in again.`,
  );

const getOAuthRequest = implement(contracts.getOAuthRequest, async ({ request_id }, ctx) => {
  const request = await getRequest(database(ctx).db, request_id);
  if (!request) throw gone(request_id);
  return {
    request_id: request.id,
    client_id: request.clientId,
    client_name: request.clientName,
    client_uri: request.clientUri ?? null,
    redirect_uri: request.redirectUri,
    plane: request.plane,
    customer_hint: request.customerHint ?? null,
    scope: request.scope ?? null,
    expires_at: new Date(request.expiresAt).toISOString(),
  };
});

const approveOAuthClient = implement(contracts.approveOAuthClient, async (input, ctx) => {
  const ws = ctx.store.data;
  const customers = input.customers?.length ? [...new Set(input.customers)] : null;
  return database(ctx).write(async (tx) => {
    const request = await getRequest(tx, input.request_id);
    if (!request) throw gone(input.request_id);
    const plane = input.plane ?? request.plane;
    if (!plane)
      throw new ToolError(
        'The client did not name a plane: pass plane "admin" or "gateway" to approve it for one.',
      );
    if (request.plane && plane !== request.plane)
      throw new ToolError(
        `The client asked for the ${request.plane} plane; approve it for "${request.plane}" or deny the request.`,
      );
    if (plane === 'admin' && customers)
      throw new ToolError(
        'Customers apply to the gateway plane only; drop `customers` for an admin approval.',
      );
    if (plane === 'gateway' && !customers)
      throw new ToolError('Name the customer(s) this client may reach on the gateway in `customers`.');
    const unknown = (customers ?? []).filter((id) => !ws.customers[id]);
    if (unknown.length)
      throw new ToolError(
        `Unknown customer id(s): ${unknown.join(', ')}. Create them first with create_customer.`,
      );
    await takeRequest(tx, request.id);
    const code = await saveCode(tx, {
      clientId: request.clientId,
      clientName: request.clientName,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      resource: request.resource,
      plane,
      customers,
      approvedBy: ctx.caller.keyId ?? (ctx.caller.pageView ? 'web-ui' : ctx.caller.entryPoint),
    });
    return {
      redirect_to: decisionRedirect(request, { code }),
      client_id: request.clientId,
      plane,
      customers,
    };
  });
});

const denyOAuthClient = implement(contracts.denyOAuthClient, async ({ request_id }, ctx) => {
  const request = await database(ctx).write((tx) => takeRequest(tx, request_id));
  if (!request) throw gone(request_id);
  return {
    redirect_to: decisionRedirect(request, {
      error: 'access_denied',
      error_description: 'An administrator of this Portico denied the request.',
    }),
  };
});

const listOAuthGrants = implement(
  contracts.listOAuthGrants,
  async ({ cursor, limit, include_revoked }, ctx) => {
    const db = ctx.store.database;
    // A database not upgraded yet (read-only open) has no grants.
    const all = db ? await listGrants(db.db).catch(() => []) : [];
    const { page, ...rest } = paginate(
      all.filter((g) => include_revoked || !g.revokedAt),
      cursor,
      limit,
    );
    return { grants: page.map((g) => grantView(g, ctx)), ...rest };
  },
);

const revokeOAuthGrant = implement(contracts.revokeOAuthGrant, async ({ grant_id }, ctx) => {
  const db = database(ctx);
  if (!(await getGrant(db.db, grant_id)))
    throw new ToolError(`No OAuth grant "${grant_id}". Use list_oauth_grants to see the ids.`);
  const grant = await revokeGrant(db, grant_id);
  if (!grant) throw new ToolError(`No OAuth grant "${grant_id}".`);
  return grantView(grant, ctx);
});

export const oauthClientTools = [
  getOAuthRequest,
  approveOAuthClient,
  denyOAuthClient,
  listOAuthGrants,
  revokeOAuthGrant,
] as const;
