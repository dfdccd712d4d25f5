// One held upstream tool change: what the scan flagged (first, where a reviewer cannot miss it),
// the before/after diff, and Approve.
import { Badge } from '../../../common/controls';
import { useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import { VisibleText } from '../../../common/visible-text';
import type { ToolChange } from '../lib/types';
import { DefinitionDiff } from './definition-diff';

const FINDING = { hidden_unicode: 'Hidden Unicode', instruction: 'Instruction to the model' } as const;

export function ToolChangeCard({ change }: { change: ToolChange }) {
  const approve = useToolMutation('approve_tool_changes');
  const toast = useToast();
  return (
    <li className="tool-change card">
      <header className="tool-change-header">
        <h3>
          <code>{change.tool}</code>
        </h3>
        <span className="muted">changed {new Date(change.at).toLocaleString()}</span>
        {change.findings.length > 0 && (
          <Badge tone="error">
            {change.findings.length} finding{change.findings.length === 1 ? '' : 's'}
          </Badge>
        )}
      </header>
      {change.findings.length > 0 && (
        <div className="error-box findings">
          <strong>Review carefully — the new definition may try to steer the model:</strong>
          <ul>
            {change.findings.map((f, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: findings of one change, never reordered
              <li key={i}>
                <strong>{FINDING[f.kind as keyof typeof FINDING] ?? f.kind}:</strong>{' '}
                <VisibleText text={f.detail} />
              </li>
            ))}
          </ul>
        </div>
      )}
      <DefinitionDiff before={change.before} after={change.after} />
      <div className="approval-actions">
        <button
          type="button"
          disabled={approve.isPending}
          onClick={() =>
            approve.mutate(
              { change_ids: [change.id] },
              { onSuccess: (r) => toast.success(r.message), onError: (e) => toast.error(e) },
            )
          }
        >
          Approve<span className="visually-hidden"> the change of {change.tool}</span>
        </button>
      </div>
    </li>
  );
}
