// Creating a key: validated with create_api_key's own schema; the key is shown once, then never.
import { useState } from 'react';
import { createApiKey } from '../../../shared/admin/keys';
import { CopyButton, Field } from '../../common/controls';
import { Dialog } from '../../common/dialog';
import { ErrorMessage } from '../../common/feedback';
import { fieldError, useSchemaForm } from '../../common/form';
import { useToolMutation } from '../../common/queries';

/** The customers field is typed as "acme, globex" and sent as a list. */
const splitIds = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export function CreateKeyDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const create = useToolMutation('create_api_key');
  const [created, setCreated] = useState<{ key: string; name: string } | undefined>();
  const [customers, setCustomers] = useState('');
  const form = useSchemaForm(createApiKey.input, { name: '', scope: 'admin' });
  const scope = form.watch('scope');
  const close = () => {
    setCreated(undefined);
    setCustomers('');
    form.reset();
    create.reset();
    onClose();
  };
  const errors = form.formState.errors as Record<string, unknown>;
  return (
    <Dialog open={open} onClose={close} title={created ? 'Your new API key' : 'Create an API key'}>
      {created ? (
        <div>
          <div className="secret-once" role="status">
            <p>
              <strong>Copy it now: you won't see this again.</strong> Portico keeps only a hash of it.
            </p>
            <code className="secret-value">{created.key}</code>
          </div>
          <footer className="dialog-footer">
            <CopyButton text={created.key} label="Copy key" />
            <button type="button" onClick={close}>
              Done
            </button>
          </footer>
        </div>
      ) : (
        <form
          onSubmit={form.handleSubmit(async (input) => {
            const list = scope === 'gateway' ? splitIds(customers) : [];
            const value = await create
              .mutateAsync({ ...input, ...(list.length ? { customers: list } : {}) })
              .catch(() => undefined);
            if (value) setCreated({ key: value.key, name: value.name });
          })}
        >
          <Field
            label="Name"
            error={fieldError(errors, 'name')}
            hint='What it is for, e.g. "Cursor on my laptop".'
          >
            {(props) => <input {...props} {...form.register('name')} />}
          </Field>
          <Field label="Scope" error={fieldError(errors, 'scope')}>
            {(props) => (
              <select {...props} {...form.register('scope')}>
                <option value="admin">admin — the control plane (/mcp/admin)</option>
                <option value="gateway">gateway — the data plane (/mcp/gateway)</option>
              </select>
            )}
          </Field>
          {scope === 'gateway' && (
            <Field
              label="Only these customers (optional)"
              hint="Customer ids, separated by commas; empty = every customer."
            >
              {(props) => (
                <input {...props} value={customers} onChange={(e) => setCustomers(e.target.value)} />
              )}
            </Field>
          )}
          <ErrorMessage error={create.error} />
          <footer className="dialog-footer">
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
            <button type="submit" disabled={create.isPending}>
              Create key
            </button>
          </footer>
        </form>
      )}
    </Dialog>
  );
}
