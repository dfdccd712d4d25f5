import type { Connection } from '../store/schema';
import type { EventType } from './event-bus';

/**
 * Emits `connection.updated` for a connection whose status was just written, and
 * `connection.expired` once when that write turned it expired (`previous` was something else).
 */
export function emitConnectionStatus(
  events: { emit(type: EventType, data: Record<string, unknown>): void },
  connection: Connection,
  previous: string | undefined,
): void {
  const data = {
    connection_id: connection.id,
    customer_id: connection.customerId,
    connector_id: connection.connectorId,
    status: connection.status,
  };
  events.emit('connection.updated', data);
  if (connection.status === 'expired' && previous !== 'expired')
    events.emit('connection.expired', { ...data, reason: connection.statusReason ?? null });
}
