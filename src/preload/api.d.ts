// The typed surface the preload exposes as `window.portico` (Electron only; the web
// UI has no `window.portico` and talks HTTP instead). Self-contained on purpose: the
// renderer's tsconfig includes this file but not the rest of the preload.

export type ToolResult = { ok: true; value: unknown } | { ok: false; error: string };

export type PorticoStatus =
  | { running: true; url: string; planes: { admin: boolean; gateway: boolean }; customers: number }
  | { running: false; error: string };

export interface PorticoApi {
  /** Runs one admin registry operation (the same tools as the Admin MCP server). */
  callTool(name: string, args: unknown): Promise<ToolResult>;
  getStatus(): Promise<PorticoStatus>;
}

declare global {
  interface Window {
    portico?: PorticoApi;
  }
}
