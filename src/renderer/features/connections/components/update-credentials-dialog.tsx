// Replacing a connection's credentials (update_connection); OAuth connections reconnect instead.
import { Dialog } from '../../../common/dialog';
import { useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import type { Connection, Connector } from '../hooks/use-connections';
import { CredentialsForm } from './credentials-form';

export function UpdateCredentialsDialog({
  open,
  onClose,
  connection,
  connector,
}: {
  open: boolean;
  onClose(): void;
  connection: Connection;
  connector: Connector;
}) {
  const update = useToolMutation('update_connection');
  const toast = useToast();
  const close = () => {
    update.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title={`Update the credentials for ${connector.name}`}>
      <p className="field-hint">
        The stored credentials are replaced (they are never shown); the status goes back to "untested".
      </p>
      <CredentialsForm
        connector={connector}
        customerId={connection.customer_id}
        submitLabel="Save credentials"
        busy={update.isPending}
        error={update.error}
        onCancel={close}
        onSubmit={(credentials) =>
          update.mutate(
            { connection_id: connection.id, credentials },
            {
              onSuccess: () => {
                toast.success(`Updated the credentials for ${connector.name}.`);
                close();
              },
              onError: (e) => toast.error(e),
            },
          )
        }
      />
    </Dialog>
  );
}
