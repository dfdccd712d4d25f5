// One connector: its details (refresh, delete), its actions (virtualized, each with a switch and
// "Try it"), and how its requests authenticate.
import { useState } from 'react';
import { Loading, QueryState } from '../../common/feedback';
import { Page } from '../../common/page';
import { useTool } from '../../common/queries';
import { ActionList } from './components/action-list';
import { AuthConfigSection } from './components/auth-config-form';
import { ConnectorDetails } from './components/connector-details';
import { TryActionDialog } from './components/try-action-dialog';
import './connectors.css';

export default function ConnectorPage({ id }: { id: string }) {
  const [deleting, setDeleting] = useState(false);
  const connector = useTool('get_connector', { connector_id: id }, { enabled: !deleting });
  const [trying, setTrying] = useState<string>();
  if (!connector.data)
    return (
      <Page title={`Connector ${id}`}>
        <p>
          <a href="#/connectors">All connectors</a>
        </p>
        <QueryState query={connector} what="the connector" />
      </Page>
    );
  const c = connector.data;
  return (
    <Page title={c.name} actions={<a href="#/connectors">All connectors</a>}>
      {c.description && <p className="muted connector-description">{c.description}</p>}
      <ConnectorDetails connector={c} onDeleting={setDeleting} />
      {deleting ? (
        <Loading what="Deleting" />
      ) : (
        <>
          <ActionList connectorId={c.id} onTry={(action) => setTrying(action.name)} />
          <AuthConfigSection connector={c} />
        </>
      )}
      <TryActionDialog connectorId={c.id} action={trying} onClose={() => setTrying(undefined)} />
    </Page>
  );
}
