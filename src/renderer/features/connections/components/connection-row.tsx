// One connection: its connector, status (with the reason or last error), when it changed, and
// what can be done with it — test, new credentials, a connect link for the customer, delete.
import { useState } from 'react';
import { Badge } from '../../../common/controls';
import { ConfirmButton } from '../../../common/dialog';
import { useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import type { Connection, Connector } from '../hooks/use-connections';
import { statusTone, when } from '../lib/status';
import { UpdateCredentialsDialog } from './update-credentials-dialog';

export function ConnectionRow({ connection, connector }: { connection: Connection; connector?: Connector }) {
  const toast = useToast();
  const test = useToolMutation('test_connection');
  const remove = useToolMutation('delete_connection');
  const link = useToolMutation('get_connect_url');
  const [updating, setUpdating] = useState(false);
  const name = connector?.name ?? connection.connector_id;
  const copyLink = () =>
    link.mutate(
      { customer_id: connection.customer_id, connector_id: connection.connector_id },
      {
        onSuccess: async (r) => {
          if (!r.url) return toast.success(r.message);
          try {
            await navigator.clipboard.writeText(r.url);
            toast.success(
              `Copied the connect link for ${name}${r.expires_in_seconds ? ` (works once, for ${Math.round(r.expires_in_seconds / 3600) || 1} h)` : ''}.`,
            );
          } catch (e) {
            toast.error(`Could not copy the link: ${e instanceof Error ? e.message : String(e)}`);
          }
        },
        onError: (e) => toast.error(e),
      },
    );
  return (
    <tr>
      <td>
        <a href={`#/connectors/${encodeURIComponent(connection.connector_id)}`}>{name}</a>
      </td>
      <td>
        <Badge tone={statusTone(connection.status)}>{connection.status}</Badge>
        {connection.status_reason && (
          <div className="small muted status-reason">{connection.status_reason}</div>
        )}
      </td>
      <td>
        {when(connection.updated_at)}
        {connection.last_tested_at && (
          <div className="small muted">tested {when(connection.last_tested_at)}</div>
        )}
      </td>
      <td>
        <div className="inline">
          <button
            type="button"
            className="secondary small"
            disabled={test.isPending}
            aria-label={`Test ${name}`}
            onClick={() =>
              test.mutate(
                { connection_id: connection.id },
                {
                  onSuccess: (r) =>
                    r.status === 'active'
                      ? toast.success(`${name}: the connection works.`)
                      : toast.error(`${name}: ${r.status}${r.status_reason ? ` — ${r.status_reason}` : ''}`),
                  onError: (e) => toast.error(e),
                },
              )
            }
          >
            {test.isPending ? 'Testing…' : 'Test'}
          </button>
          {connector && (
            <button
              type="button"
              className="secondary small"
              aria-label={`Update credentials for ${name}`}
              onClick={() => setUpdating(true)}
            >
              Update credentials
            </button>
          )}
          <button
            type="button"
            className="secondary small"
            disabled={link.isPending}
            aria-label={`Copy connect link for ${name}`}
            onClick={copyLink}
          >
            Copy connect link
          </button>
          <ConfirmButton
            label="Delete"
            title={`Delete the ${name} connection?`}
            message={
              <p>
                Its stored credentials are deleted. The customer loses {name}'s tools (or, when it is
                selected, gets a connect link instead).
              </p>
            }
            onConfirm={() =>
              remove.mutateAsync({ connection_id: connection.id }).then(
                (r) => toast.success(r.message),
                (e: unknown) => toast.error(e),
              )
            }
          />
        </div>
        {connector && (
          <UpdateCredentialsDialog
            open={updating}
            onClose={() => setUpdating(false)}
            connection={connection}
            connector={connector}
          />
        )}
      </td>
    </tr>
  );
}
