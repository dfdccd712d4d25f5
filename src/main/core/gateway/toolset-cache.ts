import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { portableSchema, type SchemaUse } from '../../../shared/schemas/portable';
import { advertisedOutputSchema } from '../connectors/openapi/schema';
import { connectionsOfCustomer } from '../store/indexes';
import type { Workspace } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { SearchIndex } from './search-index';
import { computeToolset, type ToolEntry, type Toolset } from './toolset';

export interface CachedToolset extends Toolset {
  /** The tools/list payload for direct mode, built once. */
  listing: Tool[];
  /** `{"tools": listing}` as JSON: the direct-mode tools/list result, ready to send. */
  listJson: string;
  /** Changes exactly when what the customer's agents see changes. */
  signature: string;
  search(): SearchIndex;
}

/** Listed schemas per stored schema (records are immutable snapshots): rewritten once, not per customer. */
const listedSchemas = {
  input: new WeakMap<object, Tool['inputSchema']>(),
  output: new WeakMap<object, Tool['inputSchema']>(),
};

/**
 * An action's schema as tools/list shows it: in the subset every major client takes without a
 * warning (portable.ts). Calls are still validated against the action's own schema.
 */
function listedSchema(schema: Record<string, unknown>, use: SchemaUse): Tool['inputSchema'] {
  let listed = listedSchemas[use].get(schema);
  if (!listed) {
    listed = { ...portableSchema(schema, use), type: 'object' };
    listedSchemas[use].set(schema, listed);
  }
  return listed;
}

export function toolListing(entry: ToolEntry): Tool {
  const { action } = entry;
  // The same schema the call pipeline checks results against (relaxed unless the connector is strict).
  const outputSchema = advertisedOutputSchema(action.outputSchema, entry.connector.strictOutput);
  return {
    name: entry.name,
    ...(entry.title ? { title: entry.title } : {}),
    description: entry.description || `${action.name} (${entry.connector.name})`,
    inputSchema: listedSchema(action.inputSchema, 'input'),
    ...(outputSchema ? { outputSchema: listedSchema(outputSchema, 'output') } : {}),
    annotations: { ...(entry.title ? { title: entry.title } : {}), ...entry.annotations },
  };
}

/**
 * Everything a customer's toolset is computed from, by identity: the customer record, the
 * search threshold, each exposed connector record and the customer's connection ids. The store
 * keeps untouched records identical across writes, so equal inputs mean an unchanged toolset —
 * known without building a 10,000-tool listing.
 */
export function toolsetInputs(ws: Workspace, customerId: string): readonly unknown[] {
  const customer = ws.customers[customerId];
  if (!customer) return [];
  const connections: string[] = [];
  const connected: string[] = [];
  for (const c of connectionsOfCustomer(ws, customerId)) {
    connections.push(c.id);
    connected.push(c.connectorId);
  }
  const exposed = customer.exposure.mode === 'all' ? connected : customer.exposure.connectorIds;
  return [
    customer,
    ws.settings.searchThreshold,
    ...exposed.map((id) => ws.connectors[id]),
    ...connections.sort(),
  ];
}

export const sameInputs = (a: readonly unknown[], b: readonly unknown[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** Toolsets per customer, recomputed only when their inputs change. */
export class ToolsetCache {
  readonly #cache = new Map<
    string,
    { revision: number; inputs: readonly unknown[]; toolset: CachedToolset }
  >();

  constructor(private readonly store: WorkspaceStore) {}

  get(customerId: string): CachedToolset {
    const { revision } = this.store;
    const hit = this.#cache.get(customerId);
    if (hit?.revision === revision) return hit.toolset;
    const inputs = toolsetInputs(this.store.data, customerId);
    if (hit && sameInputs(hit.inputs, inputs)) {
      hit.revision = revision;
      return hit.toolset;
    }
    let cached: CachedToolset;
    {
      const toolset = computeToolset(this.store.data, customerId);
      const listing = toolset.tools.map(toolListing);
      let index: SearchIndex | undefined;
      // The direct-mode tools/list answer, serialized once: it is also what the signature hashes.
      const listJson = JSON.stringify({ tools: listing });
      cached = {
        ...toolset,
        listing,
        listJson,
        signature: createHash('sha256').update(toolset.mode).update(listJson).digest('base64url'),
        search: () => {
          index ??= new SearchIndex(toolset.tools);
          return index;
        },
      };
      this.#cache.set(customerId, { revision, inputs, toolset: cached });
    }
    return cached;
  }
}
