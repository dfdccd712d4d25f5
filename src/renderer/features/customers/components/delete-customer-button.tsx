// Deleting a customer asks first. The registry refuses while connections or customer-restricted
// keys reference it; then its message is shown and deleting them too (force) is offered.
import { useState } from 'react';
import { Dialog } from '../../../common/dialog';
import { ErrorMessage, useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import { navigate } from '../../../common/router';

export function DeleteCustomerButton({ customer }: { customer: { id: string; name: string } }) {
  const [open, setOpen] = useState(false);
  const remove = useToolMutation('delete_customer');
  const toast = useToast();
  const close = () => {
    remove.reset();
    setOpen(false);
  };
  const run = async (force: boolean) => {
    const done = await remove.mutateAsync({ customer_id: customer.id, force }).catch(() => undefined);
    if (!done) return;
    toast.success(done.message);
    setOpen(false);
    navigate('/customers');
  };
  // The refusal names what references the customer and how to remove it too (force=true).
  const refused = remove.error?.message.includes('force') ?? false;
  return (
    <>
      <button type="button" className="danger small" onClick={() => setOpen(true)}>
        Delete
      </button>
      <Dialog open={open} onClose={close} title={`Delete ${customer.name}?`}>
        <div className="dialog-body">
          <p>
            The customer <code>{customer.id}</code> and its tool settings are deleted; its gateway URL stops
            working. This cannot be undone.
          </p>
          <ErrorMessage error={remove.error} title="Not deleted" />
        </div>
        <footer className="dialog-footer">
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
          {refused ? (
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => void run(true)}
            >
              Delete it and everything listed
            </button>
          ) : (
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => void run(false)}
            >
              Delete customer
            </button>
          )}
        </footer>
      </Dialog>
    </>
  );
}
