import { CLIENT_CONFIG_VARIABLES } from '../../../shared/schemas/clients';
import { authHeaders, inspectHttpEntry } from './entry-shapes';
import { type ClientContext, type ClientDefinition, envOverride, homePath, pathApi } from './types';

function configPath(ctx: ClientContext): string {
  return (
    envOverride(ctx, CLIENT_CONFIG_VARIABLES.windsurf) ??
    homePath(ctx, '.codeium', 'windsurf', 'mcp_config.json')
  );
}

/** Windsurf: `~/.codeium/windsurf/mcp_config.json`, a `serverUrl` entry. */
export const windsurf: ClientDefinition = {
  id: 'windsurf',
  displayName: 'Windsurf',
  transport: 'http',
  envVar: CLIENT_CONFIG_VARIABLES.windsurf,
  rootKey: 'mcpServers',
  strictJson: false,
  restart: {
    needed: false,
    hint: 'Windsurf reloads MCP servers from the Cascade MCP panel: click Refresh there (no restart needed).',
  },
  configPath,
  detectPaths: (ctx) => [pathApi(ctx).dirname(configPath(ctx))],
  buildEntry: (input) => ({
    name: input.name,
    value: { serverUrl: input.url, headers: authHeaders(input.key) },
  }),
  inspect: (value) => inspectHttpEntry(value, 'serverUrl'),
};
