// Main-side handlers for the preload's two channels. Everything from the renderer is
// `unknown` until checked, and only our own page may call: a navigated-away or
// embedded frame gets an error, not the admin registry.
import { type IpcMainInvokeEvent, ipcMain } from 'electron';
import type { PorticoStatus, ToolResult } from '../../preload/api';
import { IPC_CHANNELS } from '../../preload/channels';
import type { PorticoApp } from '../core/app';

export interface IpcDeps {
  /** Resolves once the core listens; rejects with the reason it could not start. */
  core: Promise<PorticoApp>;
  /** Whether a frame URL is the app's own renderer page. */
  isTrustedUrl: (url: string) => boolean;
}

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function assertTrusted(event: IpcMainInvokeEvent, deps: IpcDeps): void {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !deps.isTrustedUrl(frame.url)) {
    throw new Error('Portico IPC is only available to the Portico window');
  }
}

async function callTool(deps: IpcDeps, name: unknown, args: unknown): Promise<ToolResult> {
  if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
    return { ok: false, error: 'callTool needs a tool name such as "list_customers"' };
  }
  try {
    return await (await deps.core).callTool(name, args ?? {}, 'ipc');
  } catch (error) {
    return { ok: false, error: message(error) };
  }
}

async function getStatus(deps: IpcDeps): Promise<PorticoStatus> {
  try {
    const core = await deps.core;
    return {
      running: true,
      url: core.url,
      planes: core.planes(),
      customers: Object.keys(core.store.data.customers).length,
    };
  } catch (error) {
    return { running: false, error: message(error) };
  }
}

/** Registers the handlers; returns a function that removes them. */
export function registerIpc(deps: IpcDeps): () => void {
  ipcMain.handle(IPC_CHANNELS.callTool, (event, name: unknown, args: unknown) => {
    assertTrusted(event, deps);
    return callTool(deps, name, args);
  });
  ipcMain.handle(IPC_CHANNELS.getStatus, (event) => {
    assertTrusted(event, deps);
    return getStatus(deps);
  });
  return () => {
    ipcMain.removeHandler(IPC_CHANNELS.callTool);
    ipcMain.removeHandler(IPC_CHANNELS.getStatus);
  };
}
