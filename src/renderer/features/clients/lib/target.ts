// Which plane an entry connects to: the admin plane, or one customer's gateway.
import type { ToolOutput } from '../../../../shared/registry';

export type Target = { plane: 'admin' } | { plane: 'gateway'; customer_id: string };
export type ListedClient = ToolOutput<'list_client_configs'>['clients'][number];
export type ClientId = ListedClient['client'];

/** The server entry's name, as Portico writes it (CONTRACT §5). */
export const entryName = (target: Target): string =>
  target.plane === 'admin' ? 'portico-admin' : `portico-${target.customer_id}`;

/** The client-config tools' target fields. */
export const targetInput = (target: Target) =>
  target.plane === 'admin'
    ? { plane: 'admin' as const }
    : { plane: 'gateway' as const, customer_id: target.customer_id };

export const targetText = (target: Target): string =>
  target.plane === 'admin' ? 'the admin plane' : `customer ${target.customer_id}`;
