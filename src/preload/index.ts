// contextBridge only: the renderer gets two typed functions, never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import type { PorticoApi, PorticoStatus, ToolResult } from './api';
import { IPC_CHANNELS } from './channels';

const api: PorticoApi = {
  callTool: (name, args) => ipcRenderer.invoke(IPC_CHANNELS.callTool, name, args) as Promise<ToolResult>,
  getStatus: () => ipcRenderer.invoke(IPC_CHANNELS.getStatus) as Promise<PorticoStatus>,
};

contextBridge.exposeInMainWorld('portico', api);
