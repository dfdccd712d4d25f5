// IPC channel names, shared by the preload (invoke, on) and main (handle, send) so they are
// spelled once.
export const IPC_CHANNELS = {
  /** invoke(name, input) → CallResult: one admin registry call. */
  callTool: 'portico:call-tool',
  /** main → window, no payload: the workspace changed (at most one every ~100 ms). */
  changed: 'portico:changed',
} as const;
