import * as contracts from '../../../shared/admin/connectors';
import { findCatalogEntry } from '../catalog/catalog';
import {
  connectionFor,
  openCredentials,
  scrubberFor,
  upstreamSecrets,
} from '../connectors/connection-secrets';
import type { Credentials } from '../connectors/credentials';
import {
  connectUpstream,
  listAllTools,
  type McpConnector,
  newlyHeld,
  toolsToActions,
} from '../connectors/mcp-upstream';
import { importOpenApiOffThread, OpenApiImportError } from '../connectors/openapi-offthread';
import { scanText, scanTool } from '../connectors/tool-scan';
import type { Connector } from '../store/schema';
import { toAuthDraft } from './auth-draft';
import { byId, httpUrl, now } from './common';
import {
  assertSlugFree,
  importedAuthDraft,
  insertConnector,
  requireConnector,
  sealMap,
} from './connector-records';
import { connectorView } from './connector-view';
import { paginate } from './pagination';
import { type AdminContext, implement, ToolError } from './registry';

const listConnectors = implement(contracts.listConnectors, ({ cursor, limit, kind }, { store }) => {
  const ws = store.data;
  const all = byId(ws.connectors).filter((c) => !kind || c.kind === kind);
  const { page, ...rest } = paginate(all, cursor, limit);
  return { connectors: page.map((c) => connectorView(c, ws)), ...rest };
});

const getConnector = implement(contracts.getConnector, ({ connector_id }, { store }) => {
  const c = requireConnector(store.data, connector_id);
  return {
    ...connectorView(c, store.data),
    actions: c.actions.map((a) => ({
      name: a.name,
      enabled: a.enabled,
      method: a.http?.method ?? null,
      path: a.http?.path ?? null,
    })),
  };
});

const createConnector = implement(contracts.createConnector, async (input, ctx) => {
  const { store } = ctx;
  const base = { slug: input.slug, name: input.name, description: input.description ?? '', actions: [] };
  const created = store.mutate((ws) => {
    assertSlugFree(ws, input.slug);
    if (input.kind === 'http') {
      if (!input.base_url)
        throw new ToolError('An http connector needs `base_url`, e.g. "https://api.example.com".');
      if (input.transport || input.command || input.url) {
        throw new ToolError(
          '`transport`, `command` and `url` are for kind "mcp"; an http connector takes base_url and auth.',
        );
      }
      const auth = input.auth ? toAuthDraft(input.auth, store, input.slug) : null;
      return insertConnector(
        ws,
        { ...base, kind: 'http', baseUrl: httpUrl(input.base_url, 'base_url') },
        auth,
      );
    }
    if (input.base_url || input.auth)
      throw new ToolError(
        '`base_url` and `auth` are for kind "http"; an mcp connector takes transport and command or url.',
      );
    if (input.transport === 'stdio') {
      if (!input.command)
        throw new ToolError(
          'An mcp stdio connector needs `command`, e.g. "npx" with args ["-y", "@modelcontextprotocol/server-memory"].',
        );
      return insertConnector(ws, {
        ...base,
        kind: 'mcp',
        transport: 'stdio',
        command: input.command,
        args: input.args ?? [],
        env: sealMap(store, input.env, `connector:${input.slug}:env`),
        envKeys: Object.keys(input.env ?? {}).sort(),
      });
    }
    if (input.transport === 'http') {
      if (!input.url)
        throw new ToolError("An mcp http connector needs `url`, the server's Streamable HTTP endpoint.");
      return insertConnector(ws, {
        ...base,
        kind: 'mcp',
        transport: 'http',
        url: httpUrl(input.url, 'url'),
        headers: sealMap(store, input.headers, `connector:${input.slug}:headers`),
        headerKeys: Object.keys(input.headers ?? {}).sort(),
      });
    }
    throw new ToolError('An mcp connector needs `transport`: "stdio" (with command) or "http" (with url).');
  });
  if (created.kind !== 'mcp') {
    return {
      ...connectorView(created, store.data),
      next_steps: [
        `Add its actions: create_action {"connector_id": "${created.id}", "name": "…", "method": "GET", "path": "/…"} for each endpoint, or import_openapi with the API's OpenAPI document instead.`,
      ],
    };
  }
  const nextSteps = await discoverAtCreation(ctx, created);
  // The record as it is now: with the actions discovery stored.
  return { ...connectorView(requireConnector(store.data, created.id), store.data), next_steps: nextSteps };
});

/** How long creating an MCP connector waits for its server to start and list its tools. */
const CREATION_DISCOVERY_MS = 20_000;

/**
 * An MCP connector's tools become its actions as it is created: connected with its shared
 * configuration (no customer's credentials), listed, stored. When that fails — the server needs
 * each customer's credentials, or its command or URL is wrong — the connector stays, and the steps
 * say what to call next.
 */
async function discoverAtCreation(ctx: AdminContext, connector: McpConnector): Promise<string[]> {
  const expose = `Expose them to a customer with configure_customer_tools {"customer_id": "…", "mode": "selected", "connector_ids": ["${connector.id}"]}.`;
  let tools: Awaited<ReturnType<typeof discoverMcpTools>>;
  const seen: { instructions?: string } = {};
  try {
    tools = await discoverMcpTools(ctx, connector, undefined, CREATION_DISCOVERY_MS, seen);
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    return [
      `Its tools are not listed yet: ${error.message}`,
      `If the server needs each customer's credentials (${connector.transport === 'stdio' ? 'environment variables' : 'headers or a token'}): create_connection {"customer_id": "…", "connector_id": "${connector.id}", "credentials": {${connector.transport === 'stdio' ? '"env": {"NAME": "…"}' : '"headers": {"Name": "…"}'}}}, then refresh_connector {"connector_id": "${connector.id}", "customer_id": "…"}.`,
      `If its ${connector.transport === 'stdio' ? 'command or arguments are' : 'URL is'} wrong: update_connector, then refresh_connector {"connector_id": "${connector.id}"}.`,
    ];
  }
  const stored = ctx.store.mutate((ws) => {
    const c = requireConnector(ws, connector.id);
    c.actions = toolsToActions(tools, c.actions, c.trustUpdates);
    c.updatedAt = now();
    return c.actions.length;
  });
  const instructions = scanText(seen.instructions ?? '', 'server instructions');
  const flagged = tools
    .map((t) => ({ name: t.name, findings: scanTool(t) }))
    .filter((t) => t.findings.length > 0)
    .map((t) => `Review tool "${t.name}" before exposing it: ${t.findings.map((f) => f.detail).join(' ')}`);
  if (instructions.length)
    flagged.unshift(`Review the server's instructions: ${instructions.map((f) => f.detail).join(' ')}`);
  return stored
    ? [
        ...flagged,
        `Its ${stored} tool(s) are its actions now (list_actions). ${expose}`,
        'When the server adds tools, refresh_connector picks them up; a changed tool is held back until approve_tool_changes.',
      ]
    : [
        `The server lists no tools. When it has some, refresh_connector {"connector_id": "${connector.id}"} turns them into actions.`,
      ];
}

const updateConnector = implement(contracts.updateConnector, (input, { store }) => {
  const updated = store.mutate((ws) => {
    const c = requireConnector(ws, input.connector_id);
    if (input.slug !== undefined) {
      assertSlugFree(ws, input.slug, c.id);
      c.slug = input.slug;
    }
    if (input.name !== undefined) c.name = input.name;
    if (input.description !== undefined) c.description = input.description;
    const wrong = (field: string, kind: string) =>
      new ToolError(
        `\`${field}\` applies to ${kind} connectors; "${c.id}" is ${c.kind}${c.kind === 'mcp' ? ` (${c.transport})` : ''}.`,
      );
    if (input.base_url !== undefined) {
      if (c.kind !== 'http') throw wrong('base_url', 'http');
      c.baseUrl = httpUrl(input.base_url, 'base_url');
    }
    if (input.command !== undefined || input.args !== undefined || input.env !== undefined) {
      if (c.kind !== 'mcp' || c.transport !== 'stdio') throw wrong('command/args/env', 'mcp stdio');
      if (input.command !== undefined) c.command = input.command;
      if (input.args !== undefined) c.args = input.args;
      if (input.env !== undefined) {
        c.env = sealMap(store, input.env, `connector:${c.id}:env`);
        c.envKeys = Object.keys(input.env).sort();
      }
    }
    if (input.url !== undefined || input.headers !== undefined) {
      if (c.kind !== 'mcp' || c.transport !== 'http') throw wrong('url/headers', 'mcp http');
      if (input.url !== undefined) c.url = httpUrl(input.url, 'url');
      if (input.headers !== undefined) {
        c.headers = sealMap(store, input.headers, `connector:${c.id}:headers`);
        c.headerKeys = Object.keys(input.headers).sort();
      }
    }
    if (input.strict_output !== undefined) c.strictOutput = input.strict_output;
    if (input.trust_updates !== undefined) {
      if (c.kind !== 'mcp') throw wrong('trust_updates', 'mcp');
      c.trustUpdates = input.trust_updates;
    }
    c.updatedAt = now();
    return c;
  });
  return connectorView(updated, store.data);
});

const deleteConnector = implement(contracts.deleteConnector, ({ connector_id, force }, { store }) => {
  return store.mutate((ws) => {
    const c = requireConnector(ws, connector_id);
    const connections = Object.values(ws.connections).filter((x) => x.connectorId === c.id);
    const customers = Object.values(ws.customers).filter(
      (cu) => cu.exposure.connectorIds.includes(c.id) || cu.exposure.actions[c.id] !== undefined,
    );
    if ((connections.length || customers.length) && !force) {
      const refs = [
        ...connections.map((x) => `connection ${x.id} (customer ${x.customerId})`),
        ...customers.map((cu) => `customer ${cu.id}'s tool selection`),
      ];
      throw new ToolError(
        `Connector "${c.id}" is still used by ${refs.join(', ')}. Remove those first, or call delete_connector again with force=true.`,
      );
    }
    for (const x of connections) delete ws.connections[x.id];
    for (const cu of customers) {
      cu.exposure.connectorIds = cu.exposure.connectorIds.filter((id) => id !== c.id);
      delete cu.exposure.actions[c.id];
      cu.updatedAt = now();
    }
    // Customers' overrides of its tools (set_tool_overrides) go with it.
    for (const cu of Object.values(ws.customers)) {
      if (!cu.overrides?.[c.id]) continue;
      delete cu.overrides[c.id];
      if (!Object.keys(cu.overrides).length) delete cu.overrides;
      cu.updatedAt = now();
    }
    delete ws.authConfigs[c.id];
    delete ws.connectors[c.id];
    return {
      ok: true as const,
      message: `Deleted connector "${c.id}"${force ? ` with ${connections.length} connection(s), removed from ${customers.length} customer selection(s)` : ''}.`,
    };
  });
});

const importOpenapi = implement(contracts.importOpenapi, async (input, { store, caller }) => {
  const sources = [input.spec, input.spec_path, input.spec_url].filter((s) => s !== undefined);
  if (sources.length !== 1) throw new ToolError('Give exactly one of `spec`, `spec_path` or `spec_url`.');
  if (input.spec_url) httpUrl(input.spec_url, 'spec_url');
  assertSlugFree(store.data, input.slug);
  let imported: Awaited<ReturnType<typeof importOpenApiOffThread>>;
  try {
    // Parsed and converted in a worker thread: a 1,000-operation document never stalls the gateway.
    imported = await importOpenApiOffThread(
      { spec: input.spec, specPath: input.spec_path, specUrl: input.spec_url },
      // Never a document or $ref inside this workspace's data folder (keys, secrets, the database).
      { onProgress: caller.onProgress, signal: caller.signal, protectedDirs: [store.dataDir] },
    );
  } catch (error) {
    if (error instanceof OpenApiImportError)
      throw new ToolError(`The OpenAPI document was not imported: ${error.message}`);
    throw error;
  }
  const baseUrl = input.base_url ?? imported.baseUrl;
  if (!baseUrl)
    throw new ToolError('The document names no server URL; pass `base_url`, e.g. "https://api.example.com".');
  const created = store.mutate((ws) =>
    insertConnector(
      ws,
      {
        slug: input.slug,
        name: input.name ?? imported.title ?? input.slug,
        description: imported.description.slice(0, 2000),
        kind: 'http',
        baseUrl: httpUrl(baseUrl, 'base_url'),
        actions: imported.actions,
        openapiSource: input.spec_url
          ? { url: input.spec_url }
          : input.spec_path
            ? { path: input.spec_path }
            : undefined,
      },
      importedAuthDraft(imported.auth),
    ),
  );
  return {
    id: created.id,
    connector_id: created.id,
    name: created.name,
    base_url: baseUrl,
    auth_scheme: imported.auth?.scheme ?? 'none',
    actions: created.actions.map((a) => ({
      name: a.name,
      method: a.http?.method ?? '',
      path: a.http?.path ?? '',
      description: a.description.slice(0, 200),
    })),
    warnings: imported.warnings,
  };
});

/** Connects to an MCP connector's upstream (with a customer's connection secrets if given) and lists its tools. */
export async function discoverMcpTools(
  ctx: AdminContext,
  connector: McpConnector,
  customerId?: string,
  timeoutMs = 30_000,
  /** Filled with the server's instructions (from initialize), if it sent any. */
  seen: { instructions?: string } = {},
) {
  const { store } = ctx;
  let credentials: Credentials | undefined;
  if (customerId) {
    const connection = connectionFor(store.data, customerId, connector.id);
    if (!connection) throw new ToolError(`Customer "${customerId}" has no connection for "${connector.id}".`);
    // OAuth tokens are refreshed (or fetched) first, as for a tool call.
    credentials = ctx.pipeline
      ? await ctx.pipeline.credentials(connection, connector).catch((error: unknown) => {
          throw new ToolError(
            `Could not get ${customerId}'s credentials: ${error instanceof Error ? error.message : error}`,
          );
        })
      : openCredentials(store, connection);
  }
  // An upstream's error may repeat what it was sent: scrubbed with this connection's secrets.
  const scrubber = scrubberFor(store, connector, credentials ?? {});
  const fail = (error: unknown): never => {
    throw new ToolError(scrubber.text(error instanceof Error ? error.message : String(error)));
  };
  const client = await connectUpstream(
    connector,
    upstreamSecrets(store, connector, credentials),
    timeoutMs,
  ).catch(fail);
  try {
    seen.instructions = client.getInstructions();
    return await listAllTools(client, timeoutMs).catch(fail);
  } finally {
    await client.close().catch(() => {});
  }
}

const refreshConnector = implement(contracts.refreshConnector, async ({ connector_id, customer_id }, ctx) => {
  const connector = requireConnector(ctx.store.data, connector_id);
  let actions: Connector['actions'];
  const seen: { instructions?: string } = {};
  if (connector.kind === 'mcp') {
    actions = toolsToActions(
      await discoverMcpTools(ctx, connector, customer_id, undefined, seen),
      connector.actions,
      connector.trustUpdates,
    );
  } else {
    const source = connector.openapiSource;
    // A catalog connector's document ships with Portico: re-read it from the catalog.
    const entry = connector.catalogId ? findCatalogEntry(connector.catalogId) : undefined;
    const catalogDoc = entry?.kind === 'http' ? entry.connector.openapi : undefined;
    if (!source && !catalogDoc) {
      throw new ToolError(
        `Connector "${connector.id}" was not imported from a URL, a file or the catalog, so there is nothing to re-read. Edit its actions with create_action / update_action.`,
      );
    }
    try {
      const imported = await importOpenApiOffThread(
        source ? { specUrl: source.url, specPath: source.path } : { spec: catalogDoc },
        { onProgress: ctx.caller.onProgress, signal: ctx.caller.signal, protectedDirs: [ctx.store.dataDir] },
      );
      const enabled = new Map(connector.actions.map((a) => [a.name, a.enabled]));
      actions = imported.actions.map((a) => ({ ...a, enabled: enabled.get(a.name) ?? true }));
    } catch (error) {
      if (error instanceof OpenApiImportError) throw new ToolError(`Re-import failed: ${error.message}`);
      throw error;
    }
  }
  const before = new Set(connector.actions.map((a) => a.name));
  const after = new Set(actions.map((a) => a.name));
  ctx.store.mutate((ws) => {
    const c = requireConnector(ws, connector.id);
    c.actions = actions;
    c.updatedAt = now();
  });
  const held = newlyHeld(connector.actions, actions);
  for (const change of held) ctx.events.emit('tool.changed', { connector_id: connector.id, ...change });
  const added = [...after].filter((n) => !before.has(n));
  return {
    connector_id: connector.id,
    actions: [...after],
    added,
    removed: [...before].filter((n) => !after.has(n)),
    ...(connector.kind === 'mcp'
      ? {
          held: actions.flatMap((a) =>
            a.pendingChange
              ? [{ change_id: a.pendingChange.id, tool: a.name, findings: a.pendingChange.findings }]
              : [],
          ),
          flagged: [
            {
              tool: '(server instructions)',
              findings: scanText(seen.instructions ?? '', 'server instructions'),
            },
            ...actions
              .filter((a) => added.includes(a.name))
              .map((a) => ({ tool: a.name, findings: scanTool(a) })),
          ].filter((f) => f.findings.length > 0),
        }
      : {}),
  };
});

export const connectorTools = [
  listConnectors,
  getConnector,
  createConnector,
  updateConnector,
  deleteConnector,
  importOpenapi,
  refreshConnector,
] as const;
