// The tools of one customer with an approval policy of their own (set_approval_policy's
// `actions`): listed with Remove (back to the customer's policy), and added by connector, action
// and policy (./approval-exception-form). "Always allow" on a waiting call adds one set to never.
import { Empty, useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import { AddException, type Policy, SHORT } from './approval-exception-form';

type Exception = { connector_id: string; action: string; policy: Policy };

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
