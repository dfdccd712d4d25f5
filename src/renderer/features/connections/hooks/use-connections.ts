// The reads the connection views share: a customer's connections and the workspace's connectors.
import type { ToolOutput } from '../../../../shared/registry';
import { useTool, useToolPages } from '../../../common/queries';

export type Connection = ToolOutput<'list_connections'>['connections'][number];
export type Connector = ToolOutput<'list_connectors'>['connectors'][number];

/** Every connection of one customer (one per connector, so a few pages at most). */
export function useCustomerConnections(customerId: string) {
  const pages = useToolPages('list_connections', { customer_id: customerId, limit: 200 });
  const connections = pages.data?.pages.flatMap((p) => p.connections) ?? [];
  return { pages, connections };
}

/** The workspace's connectors by id (for names, kinds and auth schemes). */
export function useConnectors() {
  const query = useTool('list_connectors', { limit: 500 });
  const byId = new Map((query.data?.connectors ?? []).map((c) => [c.id, c]));
  return { query, byId };
}
