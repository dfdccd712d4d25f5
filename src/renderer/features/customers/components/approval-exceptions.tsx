// The tools of one customer with an approval policy of their own (set_approval_policy's
// `actions`): listed with Remove (back to the customer's policy), and added by connector, action
// and policy. "Always allow" on a waiting call adds one set to never.
import { useId, useState } from 'react';
import { APPROVAL_POLICIES } from '../../../../shared/admin/approvals';
import { Field } from '../../../common/controls';
import { Empty, useToast } from '../../../common/feedback';
import { useTool, useToolMutation } from '../../../common/queries';
import { useDebouncedValue } from '../hooks/use-debounced-value';

type Policy = (typeof APPROVAL_POLICIES)[number];
type Exception = { connector_id: string; action: string; policy: Policy };

const SHORT: Record<Policy, string> = {
  never: 'never waits',
  destructive: 'waits if destructive',
  always: 'always waits',
};

function AddException({ customerId }: { customerId: string }) {
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

export function ApprovalExceptions({
  customerId,
  exceptions,
}: {
  customerId: string;
  exceptions: Exception[];
}) {
  const save = useToolMutation('set_approval_policy');
  const toast = useToast();
  return (
    <>
      <h3 className="subheading">Tools with their own policy</h3>
      {exceptions.length === 0 ? (
        <Empty>No exceptions: every tool follows the policy above.</Empty>
      ) : (
        <table aria-label="Tools with their own approval policy">
          <thead>
            <tr>
              <th scope="col">Connector</th>
              <th scope="col">Action</th>
              <th scope="col">Policy</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {exceptions.map((x) => (
              <tr key={`${x.connector_id}/${x.action}`}>
                <td>
                  <code>{x.connector_id}</code>
                </td>
                <td>
                  <code>{x.action}</code>
                </td>
                <td>{SHORT[x.policy]}</td>
                <td>
                  <button
                    type="button"
                    className="secondary small"
                    disabled={save.isPending}
                    onClick={() =>
                      save.mutate(
                        {
                          customer_id: customerId,
                          actions: [{ connector_id: x.connector_id, action: x.action, policy: null }],
                        },
                        {
                          onSuccess: () =>
                            toast.success(
                              `${x.connector_id} ${x.action} follows the customer's policy again.`,
                            ),
                          onError: (e) => toast.error(e),
                        },
                      )
                    }
                  >
                    Remove<span className="visually-hidden"> the exception for {x.action}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AddException customerId={customerId} />
    </>
  );
}
