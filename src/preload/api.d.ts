// The typed surface the preload exposes as `window.portico` (Electron only; the web UI has no
// `window.portico` and talks HTTP instead, through the same RegistryClient). Types only: the
// renderer's tsconfig includes this file and src/shared, but not the rest of the preload.
import type { RegistryClient } from '../shared/registry';

export interface PorticoApi {
  /** The admin registry (the same tools as the Admin MCP server), typed from the shared contracts. */
  registry: RegistryClient;
  /** Calls `listener` when the workspace changes (at most every ~100 ms); returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

declare global {
  interface Window {
    portico?: PorticoApi;
  }
}
