import type { AdminContext } from '../admin/registry';
import { createLogger } from '../log';
import { WebhookDispatcher } from './dispatcher';

const standalone = new WeakMap<AdminContext, WebhookDispatcher>();

/**
 * The webhook dispatcher of an admin context: the server's own (`ctx.webhooks`), or — for a
 * context without one, like a `portico admin` command — one made for its data dir that only
 * queues deliveries and makes test_webhook's immediate attempt; the running server delivers the queue.
 */
export function dispatcherFor(ctx: AdminContext): WebhookDispatcher {
  const own = (ctx as AdminContext & { webhooks?: WebhookDispatcher }).webhooks;
  if (own) return own;
  let made = standalone.get(ctx);
  if (!made) {
    made = new WebhookDispatcher({ store: ctx.store, dataDir: ctx.store.dataDir, log: createLogger() });
    standalone.set(ctx, made);
  }
  return made;
}
