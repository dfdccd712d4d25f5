/** Where a call came in: an MCP client, the web UI's /api, the desktop window, the CLI, the tray, an OAuth redirect. */
export const ENTRY_POINTS = ['mcp', 'api', 'ipc', 'cli', 'tray', 'oauth', 'internal'] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];
