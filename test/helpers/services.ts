import { afterAll } from 'vitest';
import { ActivityLog } from '../../src/main/core/activity/activity-log';
import {
  AdminRegistry,
  type AdminServices,
  type AdminTool,
  type Caller,
} from '../../src/main/core/admin/registry';
import { KeyUsage } from '../../src/main/core/auth/key-usage';
import { EventBus } from '../../src/main/core/events/event-bus';
import type { OpenStoreOptions } from '../../src/main/core/store/workspace-store';
import { WebhookDispatcher } from '../../src/main/core/webhooks/dispatcher';
import { openStore } from './store';
import { tempDir } from './temp';

/**
 * A process's admin services on a real store (no server), and a registry of `tools` to call with
 * them — what a `portico admin` command without a server has.
 */
export async function adminServices(
  tools: readonly AdminTool[],
  options: Partial<OpenStoreOptions> = {},
  caller: Caller = { entryPoint: 'cli' },
) {
  const store = await openStore({ dataDir: tempDir(), ...options });
  const events = new EventBus();
  const webhooks = new WebhookDispatcher({ store, log: () => {} });
  webhooks.attach(events);
  afterAll(() => webhooks.stop());
  const services: AdminServices = {
    store,
    keyUsage: await KeyUsage.load(store.database),
    events,
    activity: new ActivityLog(store.database),
    webhooks,
    server: () => null,
  };
  const registry = new AdminRegistry(tools);
  const call = (name: string, args: unknown) => registry.call(name, args, services, caller);
  return { store, services, registry, call };
}
