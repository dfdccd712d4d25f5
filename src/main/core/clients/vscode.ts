import { CLIENT_CONFIG_VARIABLES } from '../../../shared/schemas/clients';
import { authHeaders, inspectHttpEntry } from './entry-shapes';
import { type ClientContext, type ClientDefinition, envOverride, pathApi, userDataRoot } from './types';

/** VS Code's per-user settings folder (`…/Code/User`). */
export function vscodeUserDir(ctx: ClientContext): string {
  return pathApi(ctx).join(userDataRoot(ctx), 'Code', 'User');
}

function configPath(ctx: ClientContext): string {
  return (
    envOverride(ctx, CLIENT_CONFIG_VARIABLES.vscode) ?? pathApi(ctx).join(vscodeUserDir(ctx), 'mcp.json')
  );
}

/** VS Code: the user `mcp.json`, root key `servers`, a `type: "http"` entry. */
export const vscode: ClientDefinition = {
  id: 'vscode',
  displayName: 'VS Code',
  transport: 'http',
  envVar: CLIENT_CONFIG_VARIABLES.vscode,
  rootKey: 'servers',
  strictJson: false,
  restart: {
    needed: false,
    hint: 'VS Code reloads mcp.json by itself; start the server from the MCP: List Servers command if it is not running.',
  },
  configPath,
  detectPaths: (ctx) => [pathApi(ctx).dirname(configPath(ctx))],
  buildEntry: (input) => ({
    name: input.name,
    value: { type: 'http', url: input.url, headers: authHeaders(input.key) },
  }),
  inspect: (value) => inspectHttpEntry(value, 'url'),
};

/** The VS Code input variable an install link uses for the key: VS Code prompts once and keeps it in its secret storage. */
export const VSCODE_KEY_INPUT_ID = 'portico-key';

/**
 * `vscode:mcp/install?<url-encoded JSON>`: the entry with `${input:portico-key}` for the key and the
 * matching password input, so no key is in the link.
 */
export function vscodeInstallLink(input: { name: string; url: string }): string {
  const config = {
    name: input.name,
    type: 'http',
    url: input.url,
    headers: { Authorization: `Bearer \${input:${VSCODE_KEY_INPUT_ID}}` },
    inputs: [
      {
        type: 'promptString',
        id: VSCODE_KEY_INPUT_ID,
        description: 'Portico API key',
        password: true,
      },
    ],
  };
  return `vscode:mcp/install?${encodeURIComponent(JSON.stringify(config))}`;
}
