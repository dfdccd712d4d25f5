// Approvals: the agents' tool calls waiting for a person's decision (a customer's approval policy
// holds them), answered here, and the recent decisions. Both lists refresh live when a call starts
// or stops waiting.
import { Empty, QueryState } from '../../common/feedback';
import { Page, Section } from '../../common/page';
import { useTool } from '../../common/queries';
import { DecidedTable } from './components/decided-table';
import { PendingApproval } from './components/pending-approval';
import { useNow } from './hooks/use-now';
import './approvals.css';

export default function ApprovalsPage() {
  const pending = useTool('list_approvals', { status: 'pending' });
  const decided = useTool('list_approvals', { status: 'decided' });
  const now = useNow();
  return (
    <Page title="Approvals">
      <Section title="Waiting for a decision">
        <QueryState query={pending} what="waiting calls" />
        {pending.data &&
          (pending.data.approvals.length === 0 ? (
            <Empty>
              No call is waiting for approval. A customer's approval policy (on its page, under Approvals)
              makes its agents' destructive calls — or all of them — wait here for a person to allow or deny
              them.
            </Empty>
          ) : (
            <ul className="approval-list">
              {pending.data.approvals.map((a) => (
                <PendingApproval key={a.id} approval={a} now={now} />
              ))}
            </ul>
          ))}
      </Section>
      <Section title="Decided">
        <QueryState query={decided} what="decisions" />
        {decided.data &&
          (decided.data.approvals.length === 0 ? (
            <Empty>No decisions yet. Allowed, denied and expired calls are listed here.</Empty>
          ) : (
            <DecidedTable approvals={decided.data.approvals} />
          ))}
      </Section>
    </Page>
  );
}
