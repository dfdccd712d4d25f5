/** The AI clients Portico configures, in the order the UI lists them. */
export const CLIENT_IDS = [
  'claude-desktop',
  'claude-code',
  'cursor',
  'vscode',
  'windsurf',
  'gemini-cli',
  'cline',
  'codex',
] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

/** The variable that points Portico at a client's config file instead of its usual place. */
export const CLIENT_CONFIG_VARIABLES: { readonly [Id in ClientId]: string } = {
  'claude-desktop': 'PORTICO_CLAUDE_DESKTOP_CONFIG',
  'claude-code': 'PORTICO_CLAUDE_CODE_CONFIG',
  cursor: 'PORTICO_CURSOR_CONFIG',
  vscode: 'PORTICO_VSCODE_CONFIG',
  windsurf: 'PORTICO_WINDSURF_CONFIG',
  'gemini-cli': 'PORTICO_GEMINI_CLI_CONFIG',
  cline: 'PORTICO_CLINE_CONFIG',
  codex: 'PORTICO_CODEX_CONFIG',
};
