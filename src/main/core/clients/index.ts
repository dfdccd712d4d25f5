import { CLIENT_IDS } from '../../../shared/schemas/clients';
import { claudeCode } from './claude-code';
import { claudeDesktop } from './claude-desktop';
import { cline } from './cline';
import { codex } from './codex';
import { configPathFor, removeStaleTempFiles } from './config-file';
import { cursor } from './cursor';
import { geminiCli } from './gemini-cli';
import type { ClientContext, ClientDefinition, ClientId } from './types';
import { defaultClientContext } from './types';
import { vscode } from './vscode';
import { windsurf } from './windsurf';

export { claudeCode } from './claude-code';
export {
  CLAUDE_MSIX_PACKAGE,
  claudeDesktop,
  claudeDesktopMcpRemoteEntry,
  claudeMsixConfigPath,
} from './claude-desktop';
export { cline } from './cline';
export { codex } from './codex';
export * from './config-file';
export { CURSOR_KEY_PLACEHOLDER, cursor, cursorInstallLink } from './cursor';
export { entryNameFor, isPorticoName, PORTICO_PREFIX } from './entry-shapes';
export { geminiCli } from './gemini-cli';
export * from './status';
export * from './types';
export { VSCODE_KEY_INPUT_ID, vscode, vscodeInstallLink } from './vscode';
export { windsurf } from './windsurf';

const BY_ID: { readonly [Id in ClientId]: ClientDefinition } = {
  'claude-desktop': claudeDesktop,
  'claude-code': claudeCode,
  cursor,
  vscode,
  windsurf,
  'gemini-cli': geminiCli,
  cline,
  codex,
};

/** Every client, in the order the UI lists them (CLIENT_IDS, shared with the UI). */
export const CLIENTS: readonly ClientDefinition[] = CLIENT_IDS.map((id) => BY_ID[id]);

export { CLIENT_IDS };

export function isClientId(value: string): value is ClientId {
  return (CLIENT_IDS as readonly string[]).includes(value);
}

/** The client with this id, or undefined. */
export function getClient(id: string): ClientDefinition | undefined {
  return CLIENTS.find((c) => c.id === id);
}

export interface ClientInfo {
  id: ClientId;
  displayName: string;
  transport: 'http' | 'stdio';
  configPath: string;
  detected: boolean;
  restartNeeded: boolean;
  restartHint: string;
}

/** Whether the client looks installed here (its config folder exists). */
export function isDetected(client: ClientDefinition, ctx: ClientContext = defaultClientContext()): boolean {
  return client.detectPaths(ctx).some((p) => ctx.exists(p));
}

/** What the UI and `portico clients list` show for a client. */
export function describeClient(
  client: ClientDefinition,
  ctx: ClientContext = defaultClientContext(),
): ClientInfo {
  return {
    id: client.id,
    displayName: client.displayName,
    transport: client.transport,
    configPath: client.configPath(ctx),
    detected: isDetected(client, ctx),
    restartNeeded: client.restart.needed,
    restartHint: client.restart.hint,
  };
}

/** Removes, beside every client's config, the temp files killed writes left (never a live writer's). */
export function sweepClientTempFiles(ctx: ClientContext = defaultClientContext()): string[] {
  return CLIENTS.flatMap((client) => removeStaleTempFiles(configPathFor(client, { ctx })));
}
