// Waits for notifications/tools/list_changed on a session's standalone GET stream.
import type { McpHttpSession, RpcMessage } from './mcp-client';
import { now } from './stats';

export interface ListChangedWatch {
  /** Resolves once the GET stream is open. */
  ready: Promise<void>;
  /** Resolves with the time (performance.now()) the next tools/list_changed arrives. */
  next(timeoutMs?: number): Promise<number>;
  /** How many arrived that no `next()` took (stray notifications). */
  unclaimed(): number;
}

export function watchListChanged(session: McpHttpSession): ListChangedWatch {
  let waiter: ((t: number) => void) | undefined;
  const seen: number[] = [];
  const ready = session.openStream((m: RpcMessage) => {
    if (m.method !== 'notifications/tools/list_changed') return;
    const t = now();
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(t);
    } else seen.push(t);
  });
  return {
    ready,
    next(timeoutMs = 10_000): Promise<number> {
      const early = seen.shift();
      if (early !== undefined) return Promise.resolve(early);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no tools/list_changed')), timeoutMs);
        waiter = (t) => {
          clearTimeout(timer);
          resolve(t);
        };
      });
    },
    unclaimed: () => seen.length,
  };
}
