// Adding a tool with its own approval policy: connector, action (typed, with the connector's
// actions suggested from the server as you type) and policy, saved with set_approval_policy.
import { useId, useState } from 'react';
import { APPROVAL_POLICIES } from '../../../../shared/admin/approvals';
import { Field } from '../../../common/controls';
import { useToast } from '../../../common/feedback';
import { useTool, useToolMutation } from '../../../common/queries';
import { useDebouncedValue } from '../hooks/use-debounced-value';

export type Policy = (typeof APPROVAL_POLICIES)[number];

/** A tool's own policy in a few words. */
export const SHORT: Record<Policy, string> = {
  never: 'never waits',
  destructive: 'waits if destructive',
  always: 'always waits',
};

export function AddException({ customerId }: { customerId: string }) {
  const id = useId();
  const connectors = useTool('list_connectors', { limit: 500 });
  const [connectorId, setConnectorId] = useState('');
  const [action, setAction] = useState('');
  const [policy, setPolicy] = useState<Policy>('always');
  const query = useDebouncedValue(action.trim());
  const actions = useTool(
    'list_actions',
    { connector_id: connectorId, limit: 50, ...(query ? { query } : {}) },
    { enabled: Boolean(connectorId) },
  );
  const save = useToolMutation('set_approval_policy');
  const toast = useToast();
  const [missing, setMissing] = useState(false);
  const list = connectors.data?.connectors ?? [];
  return (
    <form
      noValidate
      className="exception-form"
      aria-label="Add a tool with its own policy"
      onSubmit={(e) => {
        e.preventDefault();
        if (!connectorId || !action.trim()) return setMissing(true);
        setMissing(false);
        save
          .mutateAsync({
            customer_id: customerId,
            actions: [{ connector_id: connectorId, action: action.trim(), policy }],
          })
          .then(
            (r) => {
              toast.success(r.message);
              setAction('');
            },
            (error: unknown) => toast.error(error),
          );
      }}
    >
      <Field label="Connector" error={missing && !connectorId ? 'Choose a connector.' : undefined}>
        {(props) => (
          <select
            {...props}
            value={connectorId}
            onChange={(e) => {
              setConnectorId(e.target.value);
              setAction('');
            }}
          >
            <option value="">{connectors.isPending ? 'Loading…' : 'Choose…'}</option>
            {list.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.id})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Action"
        error={missing && !action.trim() ? 'Type or pick an action.' : undefined}
        hint={actions.error ? actions.error.message : undefined}
      >
        {(props) => (
          <>
            <input
              {...props}
              list={`${id}-actions`}
              autoComplete="off"
              disabled={!connectorId}
              value={action}
              onChange={(e) => setAction(e.target.value)}
            />
            <datalist id={`${id}-actions`}>
              {(actions.data?.actions ?? []).map((a) => (
                <option key={a.name} value={a.name}>
                  {a.method ? `${a.method} ${a.path}` : a.description.slice(0, 80)}
                </option>
              ))}
            </datalist>
          </>
        )}
      </Field>
      <Field label="Its policy">
        {(props) => (
          <select {...props} value={policy} onChange={(e) => setPolicy(e.target.value as Policy)}>
            {APPROVAL_POLICIES.map((p) => (
              <option key={p} value={p}>
                {SHORT[p]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="exception-add">
        <button type="submit" disabled={save.isPending}>
          Add exception
        </button>
      </div>
    </form>
  );
}
