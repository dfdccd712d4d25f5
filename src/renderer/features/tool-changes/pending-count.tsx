// The number of upstream tool changes held for review, beside "Tool changes" in the navigation.
import { Badge } from '../../common/controls';
import { useTool } from '../../common/queries';

export function PendingToolChangesCount() {
  const changes = useTool('list_tool_changes', {});
  const count = changes.data?.changes.length ?? 0;
  if (!count) return null;
  return (
    <span style={{ marginLeft: '0.4rem' }}>
      <Badge tone="warn">
        {count}
        <span className="visually-hidden"> to review</span>
      </Badge>
    </span>
  );
}
