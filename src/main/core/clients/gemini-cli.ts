import { CLIENT_CONFIG_VARIABLES } from '../../../shared/schemas/clients';
import { authHeaders, inspectHttpEntry } from './entry-shapes';
import { type ClientContext, type ClientDefinition, envOverride, homePath, pathApi } from './types';

function configPath(ctx: ClientContext): string {
  return envOverride(ctx, CLIENT_CONFIG_VARIABLES['gemini-cli']) ?? homePath(ctx, '.gemini', 'settings.json');
}

/** Gemini CLI: user `~/.gemini/settings.json`, an `httpUrl` (Streamable HTTP) entry. */
export const geminiCli: ClientDefinition = {
  id: 'gemini-cli',
  displayName: 'Gemini CLI',
  transport: 'http',
  envVar: CLIENT_CONFIG_VARIABLES['gemini-cli'],
  rootKey: 'mcpServers',
  strictJson: false,
  restart: {
    needed: true,
    hint: 'Start a new gemini session; it reads settings.json at start-up.',
  },
  configPath,
  detectPaths: (ctx) => [pathApi(ctx).dirname(configPath(ctx))],
  buildEntry: (input) => ({
    name: input.name,
    value: { httpUrl: input.url, headers: authHeaders(input.key) },
  }),
  inspect: (value) => inspectHttpEntry(value, 'httpUrl'),
};
