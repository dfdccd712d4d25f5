// contextBridge only: the renderer gets the typed registry client, the status and a change
// subscription — never ipcRenderer itself, nor the IPC event (it names the sender).
// Types only from src/shared: a sandboxed preload cannot load zod, and main checks every call.
import { contextBridge, ipcRenderer } from 'electron';
import type { PorticoApi } from './api';
import { IPC_CHANNELS } from './channels';

const api: PorticoApi = {
  registry: {
    call: (name, input) => ipcRenderer.invoke(IPC_CHANNELS.callTool, name, input),
  },
  getStatus: () => ipcRenderer.invoke(IPC_CHANNELS.getStatus),
  onChange(listener) {
    const forward = () => listener();
    ipcRenderer.on(IPC_CHANNELS.changed, forward);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.changed, forward);
    };
  },
};

contextBridge.exposeInMainWorld('portico', api);
