import { sameInputs, toolsetInputs } from '../gateway/toolset-cache';
import type { WorkspaceStore } from '../store/workspace-store';
import type { SessionHub } from './session-hub';

/**
 * After any workspace change (admin tool, CLI, UI, another process), tells each customer's
 * open sessions `notifications/tools/list_changed` (and resources' and prompts') when the customer, its exposed connectors or
 * its connections changed — decided from record identity, without rebuilding the tool list, so
 * the notice goes out as soon as the change is made.
 */
export function watchToolChanges(store: WorkspaceStore, hub: SessionHub): () => void {
  const seen = new Map<string, readonly unknown[]>();
  const check = () => {
    const sessions = hub.sessions();
    const customers = new Set(
      sessions.map((s) => s.owner.customerId).filter((id): id is string => id !== undefined),
    );
    for (const id of seen.keys()) if (!customers.has(id)) seen.delete(id);
    for (const customerId of customers) {
      const inputs = toolsetInputs(store.data, customerId);
      const before = seen.get(customerId);
      seen.set(customerId, inputs);
      if (before === undefined || sameInputs(before, inputs)) continue;
      for (const s of sessions) {
        if (s.owner.customerId !== customerId) continue;
        void s.server.sendToolListChanged().catch(() => {});
        // Its MCP connectors' resources and prompts (and their curation) may have changed too.
        void s.server.sendResourceListChanged().catch(() => {});
        void s.server.sendPromptListChanged().catch(() => {});
      }
    }
  };
  // Remember what each new session saw when it opened.
  const onOpen = hub.onOpen((customerId) => {
    if (customerId && !seen.has(customerId)) seen.set(customerId, toolsetInputs(store.data, customerId));
  });
  const off = store.onChange(check);
  return () => {
    off();
    onOpen();
  };
}
