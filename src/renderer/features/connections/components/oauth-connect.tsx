// OAuth2 (authorization code): the customer consents on the provider's page. "Connect" opens it
// in a new tab; /oauth/callback stores the tokens, and the live updates bring the new connection
// into this page by themselves.
import { useState } from 'react';
import { ErrorMessage, useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import type { Connector } from '../hooks/use-connections';

export function OAuthConnect({
  connector,
  customerId,
  onCancel,
}: {
  connector: Connector;
  customerId: string;
  onCancel(): void;
}) {
  const connect = useToolMutation('get_connect_url');
  const toast = useToast();
  const [opened, setOpened] = useState(false);
  const start = () =>
    connect.mutate(
      { customer_id: customerId, connector_id: connector.id },
      {
        onSuccess: (r) => {
          if (r.url) {
            window.open(r.url, '_blank', 'noopener');
            setOpened(true);
          } else toast.success(r.message);
        },
        onError: (e) => toast.error(e),
      },
    );
  return (
    <div>
      <p>
        {connector.name} uses OAuth: sign in at the provider and allow access. Portico stores the tokens as
        this customer's connection.
      </p>
      {opened && (
        <p className="ok-box" role="status">
          The provider's page opened in a new tab. This page updates by itself once the connection is stored.
        </p>
      )}
      <ErrorMessage error={connect.error} />
      <footer className="dialog-footer">
        <button type="button" className="secondary" onClick={onCancel}>
          {opened ? 'Close' : 'Cancel'}
        </button>
        <button type="button" disabled={connect.isPending} onClick={start}>
          {opened ? 'Open the provider again' : `Connect ${connector.name}`}
        </button>
      </footer>
    </div>
  );
}
