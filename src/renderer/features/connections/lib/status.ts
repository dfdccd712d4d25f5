import type { Connection } from '../hooks/use-connections';

/** A connection status's badge tone. */
export function statusTone(status: Connection['status']): 'ok' | 'warn' | 'error' | 'neutral' {
  switch (status) {
    case 'active':
      return 'ok';
    case 'expired':
      return 'warn';
    case 'error':
      return 'error';
    default:
      return 'neutral';
  }
}

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');
