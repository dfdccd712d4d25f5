import { CLIENT_CONFIG_VARIABLES } from '../../../shared/schemas/clients';
import { bridgeEntryValue, inspectStdioEntry, mcpRemoteEntryValue } from './entry-shapes';
import {
  type ClientContext,
  type ClientDefinition,
  type EntryInput,
  envOverride,
  pathApi,
  type ServerEntry,
  userDataRoot,
  windowsLocalAppData,
} from './types';

const FILE = 'claude_desktop_config.json';
/** The Microsoft Store (MSIX) build's package folder under `%LOCALAPPDATA%\Packages`. */
export const CLAUDE_MSIX_PACKAGE = 'Claude_pzs8sxrjxfjjc';

/** `%LOCALAPPDATA%\Packages\Claude_pzs8sxrjxfjjc`: present when the MSIX build is installed. */
export function claudeMsixPackageDir(ctx: ClientContext): string {
  return pathApi(ctx).join(windowsLocalAppData(ctx), 'Packages', CLAUDE_MSIX_PACKAGE);
}

/**
 * The MSIX build's virtualised `%APPDATA%\Claude`: the app reads its config from here, so a file
 * written to the plain `%APPDATA%` path would be ignored.
 */
export function claudeMsixConfigPath(ctx: ClientContext): string {
  return pathApi(ctx).join(claudeMsixPackageDir(ctx), 'LocalCache', 'Roaming', 'Claude', FILE);
}

function configPath(ctx: ClientContext): string {
  const override = envOverride(ctx, CLIENT_CONFIG_VARIABLES['claude-desktop']);
  if (override) return override;
  if (ctx.platform === 'win32' && ctx.exists(claudeMsixPackageDir(ctx))) return claudeMsixConfigPath(ctx);
  return pathApi(ctx).join(userDataRoot(ctx), 'Claude', FILE);
}

/** Claude Desktop: a stdio entry running `portico bridge`, the key in `env`. */
export const claudeDesktop: ClientDefinition = {
  id: 'claude-desktop',
  displayName: 'Claude Desktop',
  transport: 'stdio',
  envVar: CLIENT_CONFIG_VARIABLES['claude-desktop'],
  rootKey: 'mcpServers',
  strictJson: true,
  restart: {
    needed: true,
    hint: 'Quit Claude Desktop completely (tray/menu bar icon → Quit, not just closing the window) and start it again.',
  },
  configPath,
  detectPaths: (ctx) => {
    const paths = [pathApi(ctx).dirname(configPath(ctx))];
    if (ctx.platform === 'win32' && !envOverride(ctx, CLIENT_CONFIG_VARIABLES['claude-desktop'])) {
      paths.push(claudeMsixPackageDir(ctx), pathApi(ctx).join(userDataRoot(ctx), 'Claude'));
    }
    return paths;
  },
  buildEntry: (input: EntryInput): ServerEntry => ({ name: input.name, value: bridgeEntryValue(input) }),
  inspect: inspectStdioEntry,
};

/**
 * The alternative Claude Desktop entry through `npx mcp-remote` (needs Node on the user's PATH but
 * not the Portico CLI). Not the default: the bridge needs no network fetch and no npx.
 */
export function claudeDesktopMcpRemoteEntry(input: Pick<EntryInput, 'name' | 'url' | 'key'>): ServerEntry {
  return { name: input.name, value: mcpRemoteEntryValue(input) };
}
