// Creating a customer: id and name, validated with create_customer's own schema (invalid input
// shows field errors and writes nothing); a refusal (a duplicate id) shows the server's message.
import { createCustomer } from '../../../../shared/admin/customers';
import { Field } from '../../../common/controls';
import { Dialog } from '../../../common/dialog';
import { ErrorMessage, useToast } from '../../../common/feedback';
import { fieldError, useSchemaForm } from '../../../common/form';
import { useToolMutation } from '../../../common/queries';
import { navigate } from '../../../common/router';

const schema = createCustomer.input.pick({ id: true, name: true });

export function CreateCustomerDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const create = useToolMutation('create_customer');
  const toast = useToast();
  const form = useSchemaForm(schema, { id: '', name: '' });
  const errors = form.formState.errors as Record<string, unknown>;
  const close = () => {
    form.reset();
    create.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Create a customer">
      <form
        noValidate
        onSubmit={form.handleSubmit(async (input) => {
          const created = await create.mutateAsync(input).catch(() => undefined);
          if (!created) return;
          toast.success(`Created customer "${created.name}" (${created.id}).`);
          close();
          navigate(`/customers/${encodeURIComponent(created.id)}`);
        })}
      >
        <Field
          label="Customer id"
          error={fieldError(errors, 'id')}
          hint="Its endOrgId in /mcp/gateway?customer_id=…, e.g. acme. It cannot be changed later."
        >
          {(props) => <input {...props} autoComplete="off" {...form.register('id')} />}
        </Field>
        <Field label="Name" error={fieldError(errors, 'name')} hint='Display name, e.g. "Acme Inc."'>
          {(props) => <input {...props} autoComplete="off" {...form.register('name')} />}
        </Field>
        <ErrorMessage error={create.error} />
        <footer className="dialog-footer">
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" disabled={create.isPending}>
            Create customer
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
