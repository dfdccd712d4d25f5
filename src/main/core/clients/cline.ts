import { CLIENT_CONFIG_VARIABLES } from '../../../shared/schemas/clients';
import { authHeaders, inspectHttpEntry } from './entry-shapes';
import { type ClientContext, type ClientDefinition, envOverride, pathApi } from './types';
import { vscodeUserDir } from './vscode';

/** Cline's extension storage inside VS Code's user folder. */
export function clineStorageDir(ctx: ClientContext): string {
  return pathApi(ctx).join(vscodeUserDir(ctx), 'globalStorage', 'saoudrizwan.claude-dev');
}

function configPath(ctx: ClientContext): string {
  return (
    envOverride(ctx, CLIENT_CONFIG_VARIABLES.cline) ??
    pathApi(ctx).join(clineStorageDir(ctx), 'settings', 'cline_mcp_settings.json')
  );
}

/**
 * Cline (the VS Code extension): `cline_mcp_settings.json`, a `streamableHttp` entry. The explicit
 * `type` matters: without it Cline treats a `url` entry as the old SSE transport.
 */
export const cline: ClientDefinition = {
  id: 'cline',
  displayName: 'Cline',
  transport: 'http',
  envVar: CLIENT_CONFIG_VARIABLES.cline,
  rootKey: 'mcpServers',
  strictJson: true,
  restart: {
    needed: false,
    hint: 'Cline watches its MCP settings file and reconnects by itself; check the MCP Servers panel.',
  },
  configPath,
  detectPaths: (ctx) => [
    envOverride(ctx, CLIENT_CONFIG_VARIABLES.cline)
      ? pathApi(ctx).dirname(configPath(ctx))
      : clineStorageDir(ctx),
  ],
  buildEntry: (input) => ({
    name: input.name,
    value: { type: 'streamableHttp', url: input.url, headers: authHeaders(input.key), disabled: false },
  }),
  inspect: (value) => inspectHttpEntry(value, 'url'),
};
