// Recent decisions, newest first: what was decided, by whom (web UI, AI client, CLI…) and why.
import { Badge } from '../../../common/controls';
import { when } from '../lib/time-left';
import type { Approval } from '../lib/types';

const TONE = { allowed: 'ok', denied: 'error', expired: 'neutral', pending: 'warn' } as const;

const BY: Record<string, string> = {
  mcp: 'the AI client',
  api: 'web UI',
  ipc: 'desktop app',
  tray: 'tray',
  cli: 'CLI',
  internal: 'Portico (timeout)',
};

export function DecidedTable({ approvals }: { approvals: Approval[] }) {
  return (
    <table aria-label="Decided approvals">
      <thead>
        <tr>
          <th scope="col">Tool</th>
          <th scope="col">Customer</th>
          <th scope="col">Decision</th>
          <th scope="col">Decided by</th>
          <th scope="col">Reason</th>
          <th scope="col">Decided</th>
        </tr>
      </thead>
      <tbody>
        {approvals.map((a) => (
          <tr key={a.id}>
            <td>
              <code>{a.tool}</code>
            </td>
            <td>{a.customer_id}</td>
            <td>
              <Badge tone={TONE[a.status]}>
                {a.status}
                {a.remember ? ` (${a.remember})` : ''}
              </Badge>
            </td>
            <td>{a.decided_by ? (BY[a.decided_by] ?? a.decided_by) : '—'}</td>
            <td className="approval-reason">{a.reason ?? '—'}</td>
            <td>{when(a.decided_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
