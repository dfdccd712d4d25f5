import { connectionsOfCustomer } from '../store/indexes';
import type { Action, Connection, Connector, Workspace } from '../store/schema';
import { needsCredentials } from './credential-free';
import { curatedNames, overrideFor } from './curation';
import type { NameConflict } from './tool-names';

export interface ToolEntry {
  /** The name the customer's agents see. */
  name: string;
  connector: Connector;
  action: Action;
  /** The customer's connection for this connector, if any. */
  connection: Connection | undefined;
  /** What agents see: the action's own title, description and annotations, or the customer's overrides. */
  title: string | undefined;
  description: string;
  annotations: Action['annotations'];
}

export interface Toolset {
  customerId: string;
  tools: ToolEntry[];
  byName: Map<string, ToolEntry>;
  /**
   * Exposed connectors the customer has no connection for and that need credentials (calls return
   * a connect URL). One that needs none is connected on its first call (credential-free.ts).
   */
  unconnected: string[];
  /** Whether agents get the full list or the search tools. */
  mode: 'direct' | 'search';
  /** Tools the customer hid (set_tool_overrides): neither listed nor callable. */
  hidden: { connector: Connector; action: Action }[];
  /** Renames that could not be honoured (another tool holds the name), as tool-names.ts reports them. */
  conflicts: { tool: ToolEntry; other: ToolEntry; name: string }[];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What a customer's gateway exposes, from its exposure settings, connectors, actions and connections. */
export function computeToolset(ws: Workspace, customerId: string): Toolset {
  const customer = ws.customers[customerId];
  if (!customer)
    return {
      customerId,
      tools: [],
      byName: new Map(),
      unconnected: [],
      mode: 'direct',
      hidden: [],
      conflicts: [],
    };
  const connections = new Map<string, Connection>();
  for (const connection of connectionsOfCustomer(ws, customerId))
    connections.set(connection.connectorId, connection);
  const { exposure } = customer;
  const connectorIds = exposure.mode === 'all' ? [...connections.keys()] : exposure.connectorIds;
  const connectors = connectorIds
    .map((id) => ws.connectors[id])
    .filter((c): c is Connector => c !== undefined)
    .sort((a, b) => compare(a.slug, b.slug) || compare(a.id, b.id));
  const picked: { connector: Connector; action: Action }[] = [];
  for (const connector of connectors) {
    const allow = exposure.actions[connector.id];
    const allowed = allow ? new Set(allow) : undefined;
    const actions = connector.actions
      // A tool whose upstream definition changed is held back until approve_tool_changes.
      .filter((a) => a.enabled && !a.pendingChange && (!allowed || allowed.has(a.name)))
      .sort((a, b) => compare(a.name, b.name));
    for (const action of actions) picked.push({ connector, action });
  }
  const { names, conflicts } = curatedNames(
    customer,
    'tool',
    picked.map((p) => ({
      connectorId: p.connector.id,
      slug: p.connector.slug,
      name: p.action.name,
      bare: p.action.upstreamName,
    })),
  );
  const hidden: Toolset['hidden'] = [];
  const entries: (ToolEntry | undefined)[] = picked.map((p, i) => {
    const name = names[i];
    if (name === undefined) {
      hidden.push(p);
      return undefined;
    }
    const { action } = p;
    const override = overrideFor(customer, p.connector.id, 'tool', action.name);
    const title = override?.title ?? action.title;
    return {
      ...p,
      name,
      connection: connections.get(p.connector.id),
      title,
      description: override?.description ?? action.description,
      annotations:
        override?.annotations || override?.title !== undefined
          ? {
              ...action.annotations,
              ...override.annotations,
              ...(override.title !== undefined ? { title: override.title } : {}),
            }
          : action.annotations,
    };
  });
  const tools = entries.filter((e): e is ToolEntry => e !== undefined);
  const search =
    exposure.toolMode === 'search' ||
    (exposure.toolMode === 'auto' && tools.length > ws.settings.searchThreshold);
  return {
    customerId,
    tools,
    byName: new Map(tools.map((t) => [t.name, t])),
    unconnected: connectors.filter((c) => !connections.has(c.id) && needsCredentials(ws, c)).map((c) => c.id),
    mode: search ? 'search' : 'direct',
    hidden,
    conflicts: conflicts.map((c: NameConflict) => ({
      tool: entries[c.index] as ToolEntry,
      other: entries[c.other] as ToolEntry,
      name: c.name,
    })),
  };
}
