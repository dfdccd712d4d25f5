import type { SessionHub } from '../server/session-hub';
import type { WorkspaceStore } from '../store/workspace-store';
import type { GatewayRuntime } from './gateway-runtime';

/**
 * After any workspace change (admin tool, CLI, UI, another process), tells each customer's
 * open sessions `notifications/tools/list_changed` — only when what they see really changed.
 */
export function watchToolChanges(
  store: WorkspaceStore,
  gateway: GatewayRuntime,
  hub: SessionHub,
): () => void {
  const seen = new Map<string, string>();
  const check = () => {
    const sessions = hub.sessions();
    const customers = new Set(
      sessions.map((s) => s.owner.customerId).filter((id): id is string => id !== undefined),
    );
    for (const id of seen.keys()) if (!customers.has(id)) seen.delete(id);
    for (const customerId of customers) {
      const signature = gateway.toolsets.get(customerId).signature;
      const before = seen.get(customerId);
      seen.set(customerId, signature);
      if (before === undefined || before === signature) continue;
      for (const s of sessions) {
        if (s.owner.customerId === customerId) void s.server.sendToolListChanged().catch(() => {});
      }
    }
  };
  // Remember what each new session saw when it opened.
  const onOpen = hub.onOpen((customerId) => {
    if (customerId && !seen.has(customerId)) seen.set(customerId, gateway.toolsets.get(customerId).signature);
  });
  const off = store.onChange(check);
  return () => {
    off();
    onOpen();
  };
}
