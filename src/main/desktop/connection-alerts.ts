// Notifications about customers' connections: one when a connection's status turns `expired` or
// `error` (an OAuth grant that lapsed, a failed test), and one when calls through a connection fail
// several times in a row. Each once per change — not on every refresh of the workspace, and not
// again until the connection has recovered. The model is pure; watchConnections wires it to a core.
import type { PorticoApp } from '../core/app';
import type { PorticoEvent } from '../core/events/event-bus';
import {
  type ConnectionLabel,
  connectionFailingNotice,
  connectionStatusNotice,
  type Notify,
} from './notifications';

/** Consecutive failed calls through one connection before the user hears of it. */
export const FAILURE_THRESHOLD = 3;

export interface ConnectionView {
  id: string;
  customerId: string;
  connectorId: string;
  status: string;
  statusReason?: string | undefined;
}

type Label = (customerId: string, connectorId: string) => ConnectionLabel;

const ALERTING = new Set(['expired', 'error']);

export class ConnectionAlerts {
  /** Status per connection id, as last seen. */
  readonly #statuses = new Map<string, string>();
  /** Consecutive failures per customer+connector, and whether they were told. */
  readonly #failures = new Map<string, { count: number; told: boolean }>();

  constructor(
    private readonly notify: Notify,
    private readonly label: Label,
    private readonly threshold = FAILURE_THRESHOLD,
  ) {}

  /** The statuses at start: what is already broken was broken before this run, and is not news. */
  baseline(connections: Iterable<ConnectionView>): void {
    for (const c of connections) this.#statuses.set(c.id, c.status);
  }

  /** The workspace changed: tells of each connection that has just turned expired or error. */
  update(connections: Iterable<ConnectionView>): void {
    const seen = new Set<string>();
    for (const c of connections) {
      seen.add(c.id);
      const before = this.#statuses.get(c.id);
      this.#statuses.set(c.id, c.status);
      if (before === c.status || !ALERTING.has(c.status)) continue;
      this.notify(
        connectionStatusNotice(
          this.label(c.customerId, c.connectorId),
          c.status === 'expired' ? 'expired' : 'error',
          c.statusReason,
        ),
      );
    }
    for (const id of [...this.#statuses.keys()]) if (!seen.has(id)) this.#statuses.delete(id);
  }

  /** A data-plane call through this customer's connector failed. */
  callFailed(customerId: string, connectorId: string, error: string): void {
    const key = JSON.stringify([customerId, connectorId]);
    const entry = this.#failures.get(key) ?? { count: 0, told: false };
    entry.count += 1;
    this.#failures.set(key, entry);
    if (entry.count >= this.threshold && !entry.told) {
      entry.told = true;
      this.notify(connectionFailingNotice(this.label(customerId, connectorId), entry.count, error));
    }
  }

  /** A call succeeded: the run of failures is over (and may be told again if it comes back). */
  callSucceeded(customerId: string, connectorId: string): void {
    this.#failures.delete(JSON.stringify([customerId, connectorId]));
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Watches one running core's connections and calls; returns the function that stops watching. */
export function watchConnections(core: PorticoApp, notify: Notify): () => void {
  const label: Label = (customerId, connectorId) => {
    const ws = core.store.data;
    const customer = ws.customers[customerId];
    const connector = ws.connectors[connectorId];
    return {
      customerId,
      customer: customer?.name.trim() || customerId,
      connector: connector?.name.trim() || connectorId,
    };
  };
  const alerts = new ConnectionAlerts(notify, label);
  const connections = () => Object.values(core.store.data.connections);
  alerts.baseline(connections());
  const offChange = core.onChange(() => alerts.update(connections()));
  const offEvents = core.services.events.on((event: PorticoEvent) => {
    const customerId = text(event.data.customer_id);
    const connectorId = text(event.data.connector_id);
    if (!customerId || !connectorId) return;
    if (event.type === 'tool.failed')
      alerts.callFailed(customerId, connectorId, text(event.data.error) ?? 'no message');
    else if (event.type === 'tool.called') alerts.callSucceeded(customerId, connectorId);
  });
  return () => {
    offChange();
    offEvents();
  };
}
