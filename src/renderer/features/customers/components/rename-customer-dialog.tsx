// Renaming a customer (update_customer), validated with the contract's own name rule.
import { useEffect } from 'react';
import { updateCustomer } from '../../../../shared/admin/customers';
import { Field } from '../../../common/controls';
import { Dialog } from '../../../common/dialog';
import { ErrorMessage, useToast } from '../../../common/feedback';
import { fieldError, useSchemaForm } from '../../../common/form';
import { useToolMutation } from '../../../common/queries';

// The contract's name is optional (update may change only metadata); here it is what we change.
const schema = updateCustomer.input.pick({ name: true }).required();

export function RenameCustomerDialog({
  open,
  onClose,
  customer,
}: {
  open: boolean;
  onClose(): void;
  customer: { id: string; name: string };
}) {
  const update = useToolMutation('update_customer');
  const toast = useToast();
  const form = useSchemaForm(schema, { name: customer.name });
  const errors = form.formState.errors as Record<string, unknown>;
  const { reset } = form;
  useEffect(() => {
    if (open) reset({ name: customer.name });
  }, [open, customer.name, reset]);
  const close = () => {
    update.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title={`Rename ${customer.id}`}>
      <form
        noValidate
        onSubmit={form.handleSubmit(async ({ name }) => {
          const updated = await update.mutateAsync({ customer_id: customer.id, name }).catch(() => undefined);
          if (!updated) return;
          toast.success(`Renamed "${customer.id}" to "${updated.name}".`);
          close();
        })}
      >
        <Field label="Name" error={fieldError(errors, 'name')}>
          {(props) => <input {...props} autoComplete="off" {...form.register('name')} />}
        </Field>
        <ErrorMessage error={update.error} />
        <footer className="dialog-footer">
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" disabled={update.isPending}>
            Save name
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
