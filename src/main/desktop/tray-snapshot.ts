// What the tray shows of a running core, read through the admin registry like every other caller:
// get_gateway_status (URL, planes), get_activity_stats (calls today), list_customers (the first
// page), list_client_configs (every client Portico can configure — never a hard-coded list) and
// list_approvals (calls waiting for a decision).
// The tray's reads are a person looking, not activity (the registry client is a page view).
import type { RegistryClient } from '../../shared/registry';
import { MAX_TRAY_APPROVALS, MAX_TRAY_CUSTOMERS, type PendingApproval, type TraySnapshot } from './tray-menu';

export type RunningView = Pick<
  TraySnapshot,
  'url' | 'planes' | 'today' | 'clients' | 'customers' | 'moreCustomers' | 'approvals'
>;

/** The waiting calls with their customers' names: from the listed customers, else get_customer. */
async function pendingApprovals(
  registry: RegistryClient,
  approvals: readonly { id: string; tool: string; customer_id: string }[],
  known: ReadonlyMap<string, string>,
): Promise<PendingApproval[]> {
  const names = new Map(known);
  const unknown = [
    ...new Set(
      approvals
        .slice(0, MAX_TRAY_APPROVALS)
        .map((a) => a.customer_id)
        .filter((id) => !names.has(id)),
    ),
  ];
  await Promise.all(
    unknown.map(async (id) => {
      const customer = await registry.call('get_customer', { customer_id: id });
      if (customer.ok) names.set(id, customer.value.name);
    }),
  );
  return approvals.map((a) => ({
    id: a.id,
    tool: a.tool,
    customerId: a.customer_id,
    customer: names.get(a.customer_id)?.trim() || a.customer_id,
  }));
}

const HOUR_MS = 3_600_000;

/** Calls and errors since local midnight, from hourly buckets (an hour that straddles midnight counts). */
export function sinceLocalMidnight(
  buckets: readonly { hour: string; calls: number; errors: number }[],
  now: Date = new Date(),
): { calls: number; errors: number } {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  let calls = 0;
  let errors = 0;
  for (const b of buckets) {
    if (Date.parse(b.hour) + HOUR_MS <= midnight.getTime()) continue;
    calls += b.calls;
    errors += b.errors;
  }
  return { calls, errors };
}

/**
 * Reads the running view. `clients` caches the client list: it is the same for the life of the
 * process (list_client_configs also reads every config file, which the menu does not need).
 */
export async function readRunningView(
  registry: RegistryClient,
  cache: { clients?: { id: string; name: string }[] },
  now: Date = new Date(),
): Promise<RunningView> {
  const [status, stats, customers, clients, approvals] = await Promise.all([
    registry.call('get_gateway_status', {}),
    registry.call('get_activity_stats', { hours: 24 }),
    registry.call('list_customers', { limit: MAX_TRAY_CUSTOMERS }),
    cache.clients ? undefined : registry.call('list_client_configs', {}),
    registry.call('list_approvals', { status: 'pending' }),
  ]);
  if (clients?.ok) {
    cache.clients = clients.value.clients.map((c) => ({ id: c.client, name: c.display_name }));
  }
  if (!status.ok) throw new Error(status.error);
  return {
    url: status.value.url,
    planes: status.value.planes,
    today: stats.ok ? sinceLocalMidnight(stats.value.buckets, now) : null,
    clients: cache.clients ?? [],
    customers: customers.ok ? customers.value.customers.map((c) => ({ id: c.id, name: c.name })) : [],
    moreCustomers: customers.ok && Boolean(customers.value.next_cursor),
    approvals: approvals.ok
      ? await pendingApprovals(
          registry,
          approvals.value.approvals,
          new Map(customers.ok ? customers.value.customers.map((c) => [c.id, c.name]) : []),
        )
      : [],
  };
}
