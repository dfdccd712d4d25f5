// Changes made anywhere — another tab, the CLI, the tray, an agent over /mcp/admin — reach the
// page within a second, pushed, never polled: the desktop window hears them over IPC, the web UI
// over the server-sent event stream /api/events (behind the same sign-in).
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { refetchTools } from './queries';
import { onDesktopChange } from './registry';

export type LiveState = 'connecting' | 'live' | 'offline';

export interface ProgressEvent {
  id: string;
  progress: number;
  total?: number;
  message?: string;
}

const progressListeners = new Map<string, (event: ProgressEvent) => void>();

/** Hears the progress of one call started with `{progressId: id}` (web UI); returns the unsubscribe. */
export function onProgress(id: string, listener: (event: ProgressEvent) => void): () => void {
  progressListeners.set(id, listener);
  return () => progressListeners.delete(id);
}

/** Keeps the page's data current; returns whether the push stream is up. */
export function useLiveUpdates(enabled: boolean): LiveState {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    if (!enabled) return;
    const desktop = onDesktopChange(() => void refetchTools(client));
    if (desktop) {
      setState('live');
      return desktop;
    }
    const source = new EventSource('/api/events');
    source.addEventListener('open', () => {
      setState('live');
      // Whatever changed while the stream was down.
      void refetchTools(client);
    });
    source.addEventListener('change', () => void refetchTools(client));
    source.addEventListener('activity', () => void refetchTools(client, 'activity'));
    source.addEventListener('progress', (event) => {
      try {
        const data = JSON.parse((event as MessageEvent<string>).data) as ProgressEvent;
        progressListeners.get(data.id)?.(data);
      } catch {
        // A malformed event is no reason to stop listening.
      }
    });
    // EventSource reconnects by itself; it gives up (CLOSED) only on a refusal, e.g. signed out.
    source.addEventListener('error', () =>
      setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting'),
    );
    return () => source.close();
  }, [client, enabled]);
  return state;
}
