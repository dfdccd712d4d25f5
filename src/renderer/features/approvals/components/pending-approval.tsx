// One call waiting for a decision: who called what with which arguments, how long it may still
// wait, and the four answers. The first decision wins, so a call decided elsewhere in the meantime
// answers with the server's message.
import { Link } from 'wouter';
import { Badge } from '../../../common/controls';
import { useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import { VisibleText } from '../../../common/visible-text';
import { timeLeft, when } from '../lib/time-left';
import type { Approval } from '../lib/types';

const ANSWERS = [
  { label: 'Allow once', decision: 'allow', remember: undefined },
  { label: 'Allow for this session', decision: 'allow', remember: 'session' },
  { label: 'Always allow', decision: 'allow', remember: 'always' },
  { label: 'Deny', decision: 'deny', remember: undefined },
] as const;

export function PendingApproval({ approval, now }: { approval: Approval; now: number }) {
  const decide = useToolMutation('decide_approval');
  const toast = useToast();
  return (
    <li className="approval card">
      <header className="approval-header">
        <h3>
          <code>{approval.tool}</code>
        </h3>
        <Badge tone="warn">{timeLeft(approval.expires_at, now)}</Badge>
      </header>
      <dl className="props">
        <dt>Customer</dt>
        <dd>
          <Link href={`/customers/${encodeURIComponent(approval.customer_id)}`}>{approval.customer_id}</Link>
        </dd>
        <dt>Action</dt>
        <dd>
          <code>{approval.action}</code> of connector <code>{approval.connector_id}</code>
        </dd>
        <dt>Called</dt>
        <dd>{when(approval.created_at)}</dd>
        <dt>Arguments</dt>
        <dd>
          {/* Hidden characters shown: the person allowing the call sees what the upstream will get. */}
          <pre>
            <VisibleText text={JSON.stringify(approval.arguments, null, 2)} />
          </pre>
        </dd>
      </dl>
      <div className="approval-actions">
        {ANSWERS.map((a) => (
          <button
            key={a.label}
            type="button"
            className={a.decision === 'deny' ? 'danger' : a.remember ? 'secondary' : ''}
            disabled={decide.isPending}
            onClick={() =>
              decide.mutate(
                {
                  approval_id: approval.id,
                  decision: a.decision,
                  ...(a.remember ? { remember: a.remember } : {}),
                },
                { onSuccess: (r) => toast.success(r.message), onError: (e) => toast.error(e) },
              )
            }
          >
            {a.label}
            <span className="visually-hidden">
              {' '}
              — {approval.tool} for {approval.customer_id}
            </span>
          </button>
        ))}
      </div>
    </li>
  );
}
