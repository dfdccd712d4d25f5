import { CLIENT_CONFIG_VARIABLES } from '../../../shared/schemas/clients';
import { authHeaders, inspectHttpEntry } from './entry-shapes';
import { type ClientContext, type ClientDefinition, envOverride, homePath, pathApi } from './types';

function configPath(ctx: ClientContext): string {
  return envOverride(ctx, CLIENT_CONFIG_VARIABLES.cursor) ?? homePath(ctx, '.cursor', 'mcp.json');
}

/** Cursor: global `~/.cursor/mcp.json`, a remote HTTP entry. */
export const cursor: ClientDefinition = {
  id: 'cursor',
  displayName: 'Cursor',
  transport: 'http',
  envVar: CLIENT_CONFIG_VARIABLES.cursor,
  rootKey: 'mcpServers',
  strictJson: false,
  restart: {
    needed: false,
    hint: 'Cursor reloads mcp.json by itself; if the server does not show up, toggle it in Cursor Settings → MCP.',
  },
  configPath,
  detectPaths: (ctx) => [pathApi(ctx).dirname(configPath(ctx))],
  buildEntry: (input) => ({ name: input.name, value: { url: input.url, headers: authHeaders(input.key) } }),
  inspect: (value) => inspectHttpEntry(value, 'url'),
};

/**
 * What stands for the key in a Cursor install link. Cursor substitutes `${env:NAME}` in `url` and
 * `headers`, so the installed entry works once PORTICO_API_KEY is in Cursor's environment, or after
 * pasting the key over it in mcp.json.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the client's own ${…} variable syntax, not a template
export const CURSOR_KEY_PLACEHOLDER = '${env:PORTICO_API_KEY}';

/**
 * `cursor://anysphere.cursor-deeplink/mcp/install?name=…&config=<base64 of the entry>`, with the key
 * replaced by a placeholder: links get logged, shared and stored in browser history.
 */
export function cursorInstallLink(
  input: { name: string; url: string },
  keyPlaceholder = CURSOR_KEY_PLACEHOLDER,
): string {
  const { value } = cursor.buildEntry({ ...input, key: keyPlaceholder, bridge: { command: '', args: [] } });
  const config = Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
  const query = new URLSearchParams({ name: input.name, config });
  return `cursor://anysphere.cursor-deeplink/mcp/install?${query.toString()}`;
}
