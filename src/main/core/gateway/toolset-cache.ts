import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
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

export function toolListing(entry: ToolEntry): Tool {
  const { action } = entry;
  return {
    name: entry.name,
    ...(action.title ? { title: action.title } : {}),
    description: action.description || `${action.name} (${entry.connector.name})`,
    inputSchema: action.inputSchema as Tool['inputSchema'],
    ...(action.outputSchema ? { outputSchema: action.outputSchema as Tool['outputSchema'] } : {}),
    annotations: { ...(action.title ? { title: action.title } : {}), ...action.annotations },
  };
}

/** Toolsets per customer, computed once per workspace revision. */
export class ToolsetCache {
  readonly #cache = new Map<string, CachedToolset>();
  #revision = -1;

  constructor(private readonly store: WorkspaceStore) {}

  get(customerId: string): CachedToolset {
    if (this.#revision !== this.store.revision) {
      this.#cache.clear();
      this.#revision = this.store.revision;
    }
    let cached = this.#cache.get(customerId);
    if (!cached) {
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
      this.#cache.set(customerId, cached);
    }
    return cached;
  }
}
