// "Add connection": pick a connector the customer is not connected to yet, then its credential
// form (or OAuth consent). An OAuth connection stored meanwhile closes the dialog by itself.
import { useEffect, useId, useState } from 'react';
import { Dialog } from '../../../common/dialog';
import { Empty, useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import type { Connector } from '../hooks/use-connections';
import { CredentialsForm } from './credentials-form';

export function AddConnectionDialog({
  open,
  onClose,
  customerId,
  connectors,
  connectedIds,
}: {
  open: boolean;
  onClose(): void;
  customerId: string;
  connectors: Connector[];
  connectedIds: ReadonlySet<string>;
}) {
  const id = useId();
  const toast = useToast();
  const create = useToolMutation('create_connection');
  const available = connectors.filter((c) => !connectedIds.has(c.id));
  const [picked, setPicked] = useState<string | undefined>();
  const connector = connectors.find((c) => c.id === picked);
  const close = () => {
    setPicked(undefined);
    create.reset();
    onClose();
  };
  // The OAuth callback stored the connection (heard through the live updates): done.
  useEffect(() => {
    if (open && picked && connectedIds.has(picked)) {
      toast.success(`Connected ${connector?.name ?? picked}.`);
      setPicked(undefined);
      create.reset();
      onClose();
    }
  }, [open, picked, connectedIds, connector, toast, create, onClose]);
  // Pick the first free connector on opening, so a connection stored meanwhile is recognised.
  const first = available[0]?.id;
  useEffect(() => {
    if (open && !picked && first) setPicked(first);
  }, [open, picked, first]);
  const chosen = connector;
  const options = connector && !available.includes(connector) ? [connector, ...available] : available;
  return (
    <Dialog open={open} onClose={close} title="Add a connection">
      {connectors.length === 0 ? (
        <Empty>
          No connectors yet. <a href="#/connectors">Add a connector</a> first.
        </Empty>
      ) : available.length === 0 && !connector ? (
        <Empty>This customer has a connection for every connector.</Empty>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${id}-connector`}>Connector</label>
            <select
              id={`${id}-connector`}
              value={chosen?.id ?? ''}
              onChange={(e) => {
                create.reset();
                setPicked(e.target.value);
              }}
            >
              {options.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.slug})
                </option>
              ))}
            </select>
          </div>
          {chosen && (
            <CredentialsForm
              key={chosen.id}
              connector={chosen}
              customerId={customerId}
              submitLabel="Add connection"
              busy={create.isPending}
              error={create.error}
              onCancel={close}
              onSubmit={(credentials) =>
                create.mutate(
                  { customer_id: customerId, connector_id: chosen.id, credentials },
                  {
                    onSuccess: () => {
                      toast.success(`Connected ${chosen.name} for ${customerId}.`);
                      close();
                    },
                    onError: (e) => toast.error(e),
                  },
                )
              }
            />
          )}
        </>
      )}
    </Dialog>
  );
}
