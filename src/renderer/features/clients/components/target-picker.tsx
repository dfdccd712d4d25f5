// Whose entry the Add buttons and install links are for: the admin plane, or a customer's gateway.
import { useState } from 'react';
import { Field } from '../../../common/controls';
import { QueryState } from '../../../common/feedback';
import { useTool } from '../../../common/queries';
import { entryName, type Target } from '../lib/target';

const LISTED = 100;

export function TargetPicker({ target, onChange }: { target: Target; onChange(next: Target): void }) {
  const [query, setQuery] = useState('');
  const [customerId, setCustomerId] = useState(target.plane === 'gateway' ? target.customer_id : '');
  const customers = useTool('list_customers', {
    limit: LISTED,
    ...(query.trim() ? { query: query.trim() } : {}),
  });
  const list = customers.data?.customers ?? [];
  const many = (customers.data?.total ?? 0) > LISTED || query !== '';
  const chooseCustomer = (id: string) => {
    setCustomerId(id);
    if (id) onChange({ plane: 'gateway', customer_id: id });
  };
  return (
    <fieldset className="target-picker">
      <legend>Add entries for</legend>
      <label className="inline">
        <input
          type="radio"
          name="client-target"
          checked={target.plane === 'admin'}
          onChange={() => onChange({ plane: 'admin' })}
        />
        The admin plane (<code>portico-admin</code>, for managing Portico)
      </label>
      <label className="inline">
        <input
          type="radio"
          name="client-target"
          checked={target.plane === 'gateway'}
          onChange={() => customerId && onChange({ plane: 'gateway', customer_id: customerId })}
          disabled={!customerId}
        />
        A customer's gateway (
        {target.plane === 'gateway' ? <code>{entryName(target)}</code> : 'portico-<customer id>'}, that
        customer's tools)
      </label>
      <div className="target-customer">
        {many && (
          <Field label="Find a customer">
            {(props) => (
              <input {...props} type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
            )}
          </Field>
        )}
        <Field
          label="Customer"
          hint={
            customers.data && customers.data.total === 0 && !query ? (
              <>
                No customers yet: <a href="#/customers">create one</a> for a gateway entry.
              </>
            ) : undefined
          }
        >
          {(props) => (
            <select {...props} value={customerId} onChange={(e) => chooseCustomer(e.target.value)}>
              <option value="">Choose a customer…</option>
              {list.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name === c.id ? c.id : `${c.name} (${c.id})`}
                </option>
              ))}
              {customerId && !list.some((c) => c.id === customerId) && (
                <option value={customerId}>{customerId}</option>
              )}
            </select>
          )}
        </Field>
        <QueryState query={customers} what="customers" />
      </div>
    </fieldset>
  );
}
