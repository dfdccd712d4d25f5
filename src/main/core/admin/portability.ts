import * as contracts from '../../../shared/admin/portability';
import { sortKeys, WORKSPACE_FILE_VERSION } from '../../../shared/admin/portability';
import type { Connection, Connector, Workspace } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { byId } from './common';
import { importDocument } from './portability-import';
import { encryptSecrets, type PlainSecrets } from './portability-secrets';
import { implement, ToolError } from './registry';

/** What the document says about API keys, which it never holds. */
export const API_KEYS_NOTE =
  'API keys are never exported: only hashes of them are stored, usable on this machine only. Create new keys after importing.';

const own = (record: object): Record<string, unknown> => ({ ...record });

/** The records one export covers: the whole workspace, or one customer and what it uses. */
function selection(ws: Workspace, customerId: string | undefined) {
  if (customerId === undefined) {
    return {
      customers: byId(ws.customers),
      connectors: byId(ws.connectors),
      connections: byId(ws.connections),
      webhooks: byId(ws.webhooks),
    };
  }
  const customer = ws.customers[customerId];
  if (!customer)
    throw new ToolError(`No customer with id "${customerId}". Use list_customers to see the ids.`);
  const connections = byId(ws.connections).filter((c) => c.customerId === customerId);
  const used = new Set([
    ...(customer.exposure.mode === 'selected' ? customer.exposure.connectorIds : []),
    ...connections.map((c) => c.connectorId),
  ]);
  return {
    customers: [customer],
    connectors: byId(ws.connectors).filter((c) => used.has(c.id)),
    connections,
    webhooks: [],
  };
}

function latest(times: string[]): string | null {
  return times.reduce<string | null>((a, b) => (a === null || b > a ? b : a), null);
}

/** Builds the export document (keys sorted, records in id order). */
export function exportDocument(
  store: WorkspaceStore,
  input: { customer_id?: string; include_secrets: boolean; passphrase?: string },
): Record<string, unknown> {
  if (input.include_secrets && !input.passphrase)
    throw new ToolError(
      'include_secrets needs a passphrase (at least 8 characters) to encrypt the secrets in the file; for `portico export --include-secrets`, set it in env PORTICO_EXPORT_PASSPHRASE.',
    );
  const ws = store.data;
  const picked = selection(ws, input.customer_id);
  const withSecrets = input.include_secrets;
  const secrets: PlainSecrets = {
    auth_configs: {},
    connector_env: {},
    connector_headers: {},
    webhooks: {},
    connections: {},
  };
  const leftOut: string[] = [];

  const connectors = picked.connectors.map((c: Connector) => {
    const record = own(c);
    delete record.env;
    delete record.headers;
    if (c.kind === 'mcp' && c.transport === 'stdio' && c.env) {
      if (withSecrets) secrets.connector_env[c.id] = store.secrets.open(c.env, `connector:${c.id}:env`);
      else leftOut.push(`connector ${c.id}: env (${c.envKeys.join(', ')})`);
    }
    if (c.kind === 'mcp' && c.transport === 'http' && c.headers) {
      if (withSecrets)
        secrets.connector_headers[c.id] = store.secrets.open(c.headers, `connector:${c.id}:headers`);
      else leftOut.push(`connector ${c.id}: headers (${c.headerKeys.join(', ')})`);
    }
    return record;
  });
  const connectorIds = new Set(picked.connectors.map((c) => c.id));
  const authConfigs = Object.values(ws.authConfigs)
    .filter((a) => connectorIds.has(a.connectorId))
    .sort((a, b) => (a.connectorId < b.connectorId ? -1 : a.connectorId > b.connectorId ? 1 : 0))
    .map((a) => {
      const record = own(a);
      if (a.oauth2) {
        const { clientSecret, ...oauth2 } = a.oauth2;
        record.oauth2 = oauth2;
        if (clientSecret) {
          if (withSecrets)
            secrets.auth_configs[a.connectorId] = store.secrets.open(clientSecret, `auth:${a.connectorId}`);
          else leftOut.push(`auth config ${a.connectorId}: OAuth client secret`);
        }
      }
      return record;
    });
  const webhooks = picked.webhooks.map((w) => {
    const record = own(w);
    delete record.secret;
    if (withSecrets) secrets.webhooks[w.id] = store.secrets.open(w.secret, `webhook:${w.id}`);
    else leftOut.push(`webhook ${w.id}: signing secret`);
    return record;
  });
  const connections = picked.connections.map((c: Connection) => {
    const record = own(c);
    delete record.credentials;
    if (withSecrets) secrets.connections[c.id] = store.secrets.open(c.credentials, `connection:${c.id}`);
    return record;
  });
  if (!withSecrets)
    for (const c of picked.connections)
      leftOut.push(
        `connection ${c.id} (customer ${c.customerId}, connector ${c.connectorId}): exported only with include_secrets`,
      );

  const exportedAt = latest([
    ...picked.customers.map((r) => r.updatedAt),
    ...picked.connectors.map((r) => r.updatedAt),
    ...picked.connections.map((r) => r.updatedAt),
    ...picked.webhooks.map((r) => r.updatedAt),
    ...authConfigs.map((r) => String(r.updatedAt)),
  ]);
  const document: Record<string, unknown> = {
    portico_workspace: WORKSPACE_FILE_VERSION,
    // The time of the latest change exported: an unchanged workspace exports to the same bytes.
    exported_at: exportedAt,
    customer_id: input.customer_id ?? null,
    api_keys: API_KEYS_NOTE,
    connectors,
    auth_configs: authConfigs,
    customers: picked.customers.map(own),
    webhooks,
    ...(withSecrets ? { connections } : {}),
    secrets:
      withSecrets && input.passphrase
        ? encryptSecrets(secrets, input.passphrase)
        : { included: false, left_out: leftOut },
  };
  // Through JSON: the records' null-prototype maps and frozen arrays become plain data.
  return sortKeys(JSON.parse(JSON.stringify(document))) as Record<string, unknown>;
}

const exportWorkspace = implement(contracts.exportWorkspace, (input, { store }) => ({
  document: exportDocument(store, input),
}));

const importWorkspace = implement(contracts.importWorkspace, (input, ctx) => importDocument(ctx, input));

export const portabilityTools = [exportWorkspace, importWorkspace] as const;
