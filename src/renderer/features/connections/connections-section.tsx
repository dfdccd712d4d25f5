// A customer's connections (its credentials per connector) on the customer page.
import { useState } from 'react';
import { Empty, QueryState } from '../../common/feedback';
import { Section } from '../../common/page';
import { AddConnectionDialog } from './components/add-connection-dialog';
import { ConnectionRow } from './components/connection-row';
import { useConnectors, useCustomerConnections } from './hooks/use-connections';
import './connections.css';

export function ConnectionsSection({ customerId }: { customerId: string }) {
  const { pages, connections } = useCustomerConnections(customerId);
  const connectors = useConnectors();
  const [adding, setAdding] = useState(false);
  const connectedIds = new Set(connections.map((c) => c.connector_id));
  return (
    <Section
      title="Connections"
      actions={
        <button
          type="button"
          className="small"
          onClick={() => setAdding(true)}
          disabled={!connectors.query.data}
        >
          Add connection
        </button>
      }
    >
      <QueryState query={pages} what="connections" />
      <QueryState query={connectors.query} what="connectors" />
      {pages.data &&
        (connections.length === 0 ? (
          <Empty>No connections yet. Add one to give this customer's agents a connector's tools.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Connector</th>
                <th scope="col">Status</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {connections.map((c) => (
                <ConnectionRow key={c.id} connection={c} connector={connectors.byId.get(c.connector_id)} />
              ))}
            </tbody>
          </table>
        ))}
      {pages.hasNextPage && (
        <button type="button" className="secondary small" onClick={() => void pages.fetchNextPage()}>
          More connections
        </button>
      )}
      <AddConnectionDialog
        open={adding}
        onClose={() => setAdding(false)}
        customerId={customerId}
        connectors={connectors.query.data?.connectors ?? []}
        connectedIds={connectedIds}
      />
    </Section>
  );
}

export { useCustomerConnections } from './hooks/use-connections';
