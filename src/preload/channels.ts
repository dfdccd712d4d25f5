// IPC channel names, shared by the preload (invoke) and main (handle) so they are
// spelled once.
export const IPC_CHANNELS = {
  callTool: 'portico:call-tool',
  getStatus: 'portico:get-status',
} as const;
