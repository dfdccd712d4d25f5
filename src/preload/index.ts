// contextBridge only: the renderer gets the typed registry client and a change subscription —
// nothing else: never ipcRenderer itself, nor the IPC event (it names the sender). Types only from
// src/shared: a sandboxed preload cannot load zod, and main checks every call (sender frame, tool
// name, a plain JSON input of bounded size; the registry then its schema).
import { contextBridge, ipcRenderer } from 'electron';
import type { PorticoApi } from './api';
import { IPC_CHANNELS } from './channels';

const api: PorticoApi = {
  registry: {
    // Call options (progress ids) are the web UI's; over IPC only the name and input travel.
    call: (name, input) => ipcRenderer.invoke(IPC_CHANNELS.callTool, name, input),
  },
  onChange(listener) {
    const forward = () => listener();
    ipcRenderer.on(IPC_CHANNELS.changed, forward);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.changed, forward);
    };
  },
};

contextBridge.exposeInMainWorld('portico', api);
