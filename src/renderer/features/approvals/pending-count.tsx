// The number of calls waiting for approval, beside "Approvals" in the navigation.
import { Badge } from '../../common/controls';
import { useTool } from '../../common/queries';

export function PendingApprovalsCount() {
  const pending = useTool('list_approvals', { status: 'pending' });
  const count = pending.data?.approvals.length ?? 0;
  if (!count) return null;
  return (
    <span style={{ marginLeft: '0.4rem' }}>
      <Badge tone="warn">
        {count}
        <span className="visually-hidden"> waiting</span>
      </Badge>
    </span>
  );
}
