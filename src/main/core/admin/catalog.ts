import type { z } from 'zod';
import type { catalogEntryOutput } from '../../../shared/admin/catalog';
import * as contracts from '../../../shared/admin/catalog';
import {
  type CatalogEntry,
  catalog,
  findCatalogEntry,
  type HttpCatalogEntry,
  isPlaceholder,
  type McpCatalogEntry,
  placeholdersOf,
  searchCatalog,
} from '../catalog/catalog';
import { importOpenApiOffThread, OpenApiImportError } from '../connectors/openapi-offthread';
import type { Connector } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { toAuthDraft } from './auth-draft';
import { httpUrl } from './common';
import { assertSlugFree, importedAuthDraft, insertConnector, sealMap } from './connector-records';
import { paginate } from './pagination';
import { implement, ToolError } from './registry';

function baseUrlOfDocument(entry: HttpCatalogEntry): string | null {
  if (entry.connector.base_url) return entry.connector.base_url;
  const servers = entry.connector.openapi.servers;
  const first = Array.isArray(servers) ? (servers[0] as { url?: unknown } | undefined) : undefined;
  return typeof first?.url === 'string' ? first.url : null;
}

function entryView(entry: CatalogEntry): z.infer<typeof catalogEntryOutput> {
  return {
    catalog_id: entry.catalog_id,
    name: entry.name,
    kind: entry.kind,
    description: entry.description,
    credentials_hint: entry.credentials_hint,
    credentials_example: entry.connection,
    homepage: entry.homepage ?? null,
    slug: entry.connector.slug,
    command: entry.kind === 'mcp' ? entry.connector.command : null,
    args: entry.kind === 'mcp' ? [...entry.connector.args] : null,
    base_url: entry.kind === 'http' ? baseUrlOfDocument(entry) : null,
    placeholders: placeholdersOf(entry),
  };
}

const listCatalog = implement(contracts.listCatalog, ({ cursor, limit, query, kind }) => {
  const { page, ...rest } = paginate(searchCatalog({ query, kind }), cursor, limit);
  return { entries: page.map(entryView), ...rest };
});

interface Added {
  connector: Connector;
  warnings: string[];
}

function addMcp(
  entry: McpCatalogEntry,
  input: { slug: string; name: string; command?: string; args?: string[]; env?: Record<string, string> },
  store: WorkspaceStore,
): Added {
  const args = input.args ?? entry.connector.args;
  const missing = args.filter(isPlaceholder);
  if (missing.length > 0) {
    throw new ToolError(
      `Catalog entry "${entry.catalog_id}" needs your value for ${missing.join(', ')}: pass \`args\` with ${missing.length === 1 ? 'it' : 'them'} replaced, ` +
        `e.g. ${JSON.stringify(entry.connector.args)} with real values. ${entry.credentials_hint}`,
    );
  }
  const env = { ...entry.connector.env, ...input.env };
  const connector = store.mutate((ws) =>
    insertConnector(ws, {
      slug: input.slug,
      name: input.name,
      description: entry.description,
      catalogId: entry.catalog_id,
      kind: 'mcp',
      transport: 'stdio',
      command: input.command ?? entry.connector.command,
      args: [...args],
      env: sealMap(store, env, `connector:${input.slug}:env`),
      envKeys: Object.keys(env).sort(),
      actions: [],
    }),
  );
  return { connector, warnings: [] };
}

async function addHttp(
  entry: HttpCatalogEntry,
  input: { slug: string; name: string; base_url?: string },
  store: WorkspaceStore,
): Promise<Added> {
  const override = input.base_url === undefined ? undefined : httpUrl(input.base_url, 'base_url');
  let imported: Awaited<ReturnType<typeof importOpenApiOffThread>>;
  try {
    imported = await importOpenApiOffThread({ spec: entry.connector.openapi });
  } catch (error) {
    if (error instanceof OpenApiImportError)
      throw new ToolError(
        `Catalog entry "${entry.catalog_id}"'s OpenAPI document did not import: ${error.message}`,
      );
    throw error;
  }
  const baseUrl = override ?? entry.connector.base_url ?? imported.baseUrl;
  if (!baseUrl)
    throw new ToolError(`Catalog entry "${entry.catalog_id}" names no server URL; pass \`base_url\`.`);
  const auth = entry.connector.auth
    ? toAuthDraft(entry.connector.auth, store, input.slug)
    : importedAuthDraft(imported.auth);
  const connector = store.mutate((ws) =>
    insertConnector(
      ws,
      {
        slug: input.slug,
        name: input.name,
        description: entry.description,
        catalogId: entry.catalog_id,
        kind: 'http',
        baseUrl: httpUrl(baseUrl, 'base_url'),
        actions: imported.actions,
      },
      auth,
    ),
  );
  return { connector, warnings: imported.warnings };
}

function nextSteps(entry: CatalogEntry, connectorId: string): string {
  const creds = JSON.stringify(entry.connection);
  const connect = `create_connection {"customer_id": "<customer>", "connector_id": "${connectorId}", "credentials": ${creds}}`;
  if (entry.kind === 'mcp') {
    const needsEnv = Object.keys(entry.connection.env ?? {}).length > 0;
    return needsEnv
      ? `For each customer, ${connect}. ${entry.credentials_hint} Then refresh_connector {"connector_id": "${connectorId}", "customer_id": "<customer>"} starts the server with that environment and turns its tools into actions.`
      : `Run refresh_connector {"connector_id": "${connectorId}"} to start the server and turn its tools into actions. Then, for each customer that should see its tools, ${connect}. ${entry.credentials_hint}`;
  }
  return (
    `For each customer, ${connect}. ${entry.credentials_hint} ` +
    `Then preview_customer_tools shows their tools, and test_action with dry_run: true shows the exact request without sending it.`
  );
}

const addCatalogConnector = implement(contracts.addCatalogConnector, async (input, { store }) => {
  const entry = findCatalogEntry(input.catalog_id);
  if (!entry) {
    throw new ToolError(
      `No catalog entry "${input.catalog_id}". Valid catalog_id values: ${catalog.map((e) => e.catalog_id).join(', ')}. Use list_catalog to see what each one is.`,
    );
  }
  if (entry.kind === 'mcp' && input.base_url !== undefined) {
    throw new ToolError(
      `\`base_url\` is for HTTP catalog entries; "${entry.catalog_id}" is an MCP server: override \`command\`, \`args\` or \`env\` instead.`,
    );
  }
  if (
    entry.kind === 'http' &&
    (input.command !== undefined || input.args !== undefined || input.env !== undefined)
  ) {
    throw new ToolError(
      `\`command\`, \`args\` and \`env\` are for MCP catalog entries; "${entry.catalog_id}" is an HTTP API: override \`base_url\` if needed, and give each customer's credentials with create_connection.`,
    );
  }
  const slug = input.slug ?? entry.connector.slug;
  try {
    assertSlugFree(store.data, slug);
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    throw new ToolError(
      `${error.message} To add catalog entry "${entry.catalog_id}" again, pass another \`slug\`, e.g. "${slug}-2".`,
    );
  }
  const common = { slug, name: input.name ?? entry.name };
  const { connector, warnings } =
    entry.kind === 'mcp'
      ? addMcp(entry, { ...common, command: input.command, args: input.args, env: input.env }, store)
      : await addHttp(entry, { ...common, base_url: input.base_url }, store);
  return {
    id: connector.id,
    connector_id: connector.id,
    catalog_id: entry.catalog_id,
    slug: connector.slug,
    name: connector.name,
    kind: connector.kind,
    base_url: connector.kind === 'http' ? connector.baseUrl : null,
    command: connector.kind === 'mcp' && connector.transport === 'stdio' ? connector.command : null,
    args: connector.kind === 'mcp' && connector.transport === 'stdio' ? connector.args : null,
    auth_scheme: store.data.authConfigs[connector.id]?.scheme ?? 'none',
    actions: connector.actions.map((a) => a.name),
    credentials_hint: entry.credentials_hint,
    next_steps: nextSteps(entry, connector.id),
    warnings,
  };
});

export const catalogTools = [listCatalog, addCatalogConnector] as const;
