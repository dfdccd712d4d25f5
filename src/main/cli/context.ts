import { resolve } from 'node:path';
import { ActivityLog } from '../core/activity/activity-log';
import type { AdminContext } from '../core/admin/registry';
import { EventBus } from '../core/events/event-bus';
import { createLogger } from '../core/log';
import { defaultDataDir } from '../core/paths';
import { readServerInfo } from '../core/server/server-info';
import { WorkspaceStore } from '../core/store/workspace-store';
import { WebhookDispatcher } from '../core/webhooks/dispatcher';

/** The data dir: --data-dir, else PORTICO_DATA_DIR, else the platform's app-data folder. */
export function resolveDataDir(flag: string | undefined): string {
  return resolve(flag ?? defaultDataDir());
}

const opened: WorkspaceStore[] = [];

/** Writes what CLI commands changed and closes their stores (runCli does this after every command). */
export function closeCliStores(): void {
  for (const store of opened.splice(0)) store.close();
}

/** An admin context for one CLI command: the same registry context a server uses, read from disk. */
export function openCliContext(dataDir: string): AdminContext {
  const store = WorkspaceStore.open({ dataDir });
  opened.push(store);
  const events = new EventBus();
  // Queue-only: events from a CLI command are delivered by the running server (or the next one).
  const webhooks = new WebhookDispatcher({ store, dataDir, log: createLogger() });
  webhooks.attach(events);
  return {
    store,
    events,
    webhooks,
    activity: new ActivityLog(dataDir),
    server: () => readServerInfo(dataDir),
  };
}
