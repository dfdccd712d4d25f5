import { CLIENT_CONFIG_VARIABLES } from '../../../shared/schemas/clients';
import { authHeaders, inspectHttpEntry } from './entry-shapes';
import { type ClientContext, type ClientDefinition, envOverride, homePath, pathApi } from './types';

function configPath(ctx: ClientContext): string {
  const override = envOverride(ctx, CLIENT_CONFIG_VARIABLES['claude-code']);
  if (override) return override;
  // Claude Code keeps `.claude.json` in CLAUDE_CONFIG_DIR when that is set, else in the home folder.
  const configDir = envOverride(ctx, 'CLAUDE_CONFIG_DIR');
  if (configDir) return pathApi(ctx).join(configDir, '.claude.json');
  return homePath(ctx, '.claude.json');
}

/** Claude Code, user scope: root `mcpServers` of `~/.claude.json`, a remote HTTP entry. */
export const claudeCode: ClientDefinition = {
  id: 'claude-code',
  displayName: 'Claude Code',
  transport: 'http',
  envVar: CLIENT_CONFIG_VARIABLES['claude-code'],
  rootKey: 'mcpServers',
  strictJson: true,
  restart: {
    needed: true,
    hint: 'Start a new Claude Code session (or run /mcp in a running one) to load the server.',
  },
  configPath,
  detectPaths: (ctx) => {
    const file = configPath(ctx);
    const configDir = envOverride(ctx, 'CLAUDE_CONFIG_DIR');
    return [file, configDir ?? homePath(ctx, '.claude')];
  },
  buildEntry: (input) => ({
    name: input.name,
    value: { type: 'http', url: input.url, headers: authHeaders(input.key) },
  }),
  inspect: (value) => inspectHttpEntry(value, 'url'),
};
