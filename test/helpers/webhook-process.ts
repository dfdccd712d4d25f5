// One Portico process's view of a workspace for the webhook tests: its store, a webhook dispatcher
// (not started) wired to an event bus, and the webhook admin tools to call.
import type { z } from 'zod';
import { ActivityLog } from '../../src/main/core/activity/activity-log';
import { AdminRegistry, type AdminServices, type Caller } from '../../src/main/core/admin/registry';
import { webhookTools } from '../../src/main/core/admin/webhooks';
import { KeyUsage } from '../../src/main/core/auth/key-usage';
import { EventBus } from '../../src/main/core/events/event-bus';
import {
  type AttemptOutcome,
  type DispatcherOptions,
  WebhookDispatcher,
} from '../../src/main/core/webhooks/dispatcher';
import type { webhookOutput } from '../../src/shared/admin/webhooks';
import { openStore, type workspaceTarget } from './store';

export type WebhookView = z.infer<typeof webhookOutput>;
export type Target = Awaited<ReturnType<typeof workspaceTarget>>;

/**
 * A process on `target`: store, dispatcher (not started; its stop is pushed onto `cleanups`), events
 * wired to it, the webhook tools as `call` (throws on an error) and `fail` (the error it expects).
 */
export async function webhookProcess(
  target: Target,
  cleanups: (() => Promise<unknown> | unknown)[],
  options: Partial<DispatcherOptions> = {},
) {
  const store = await openStore(target);
  const logs: string[] = [];
  const webhooks = new WebhookDispatcher({
    store,
    log: (line) => logs.push(line),
    backoffBaseMs: 25,
    ...options,
  });
  const events = new EventBus();
  webhooks.attach(events);
  cleanups.push(() => webhooks.stop());
  const services: AdminServices = {
    store,
    keyUsage: await KeyUsage.load(store.database),
    events,
    activity: new ActivityLog(store.database),
    webhooks,
    server: () => null,
  };
  const caller: Caller = { entryPoint: 'cli' };
  const registry = new AdminRegistry(webhookTools);
  const call = async <T = WebhookView>(name: string, args: unknown = {}): Promise<T> => {
    const result = await registry.call(name, args, services, caller);
    if (!result.ok) throw new Error(result.error);
    return result.value as T;
  };
  const fail = async (name: string, args: unknown): Promise<string> => {
    const result = await registry.call(name, args, services, caller);
    if (result.ok) throw new Error(`${name} should have failed: ${JSON.stringify(result.value)}`);
    return result.error;
  };
  /** Resolves with the next recorded attempt matching `match`. Register before triggering it. */
  const attempt = (match: (o: AttemptOutcome) => boolean) =>
    new Promise<AttemptOutcome>((resolve) => {
      const off = webhooks.onAttempt((o) => {
        if (!match(o)) return;
        off();
        resolve(o);
      });
    });
  /** Ids of the deliveries still pending in the outbox (after writing what was queued). */
  const pending = async (): Promise<string[]> => {
    await webhooks.flush();
    const rows = await store.database?.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('state', '=', 'pending')
      .orderBy('id')
      .execute();
    return (rows ?? []).map((r) => r.id);
  };
  return { target, store, webhooks, events, call, fail, attempt, pending, logs };
}
