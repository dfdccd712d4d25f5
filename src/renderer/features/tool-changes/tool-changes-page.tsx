// Tool changes: upstream MCP tools whose definition changed since it was approved are held back
// from customers until a person reviews the change here — a rug pull or a poisoned description
// must not reach an agent unseen.
import { Empty, QueryState, useToast } from '../../common/feedback';
import { Page, Section } from '../../common/page';
import { useTool, useToolMutation } from '../../common/queries';
import { ToolChangeCard } from './components/tool-change-card';
import { byConnector } from './lib/types';
import './tool-changes.css';

export default function ToolChangesPage() {
  const changes = useTool('list_tool_changes', {});
  const connectors = useTool('list_connectors', { limit: 500 });
  const approve = useToolMutation('approve_tool_changes');
  const toast = useToast();
  const names = new Map((connectors.data?.connectors ?? []).map((c) => [c.id, c.name]));
  return (
    <Page title="Tool changes">
      <QueryState query={changes} what="tool changes" />
      {changes.data &&
        (changes.data.changes.length === 0 ? (
          <Section title="Held changes">
            <Empty>
              No tool change is waiting for review. When an upstream MCP server changes a tool's description
              or schemas, the tool is held back from customers until it is approved here (unless its connector
              trusts updates).
            </Empty>
          </Section>
        ) : (
          byConnector(changes.data.changes).map(([connectorId, list]) => (
            <Section
              key={connectorId}
              title={`${names.get(connectorId) ?? connectorId} (${connectorId})`}
              actions={
                <button
                  type="button"
                  className="secondary"
                  disabled={approve.isPending}
                  onClick={() =>
                    approve.mutate(
                      { connector_id: connectorId },
                      { onSuccess: (r) => toast.success(r.message), onError: (e) => toast.error(e) },
                    )
                  }
                >
                  Approve all for this connector
                  <span className="visually-hidden"> ({connectorId})</span>
                </button>
              }
            >
              <ul className="tool-change-list">
                {list.map((c) => (
                  <ToolChangeCard key={c.id} change={c} />
                ))}
              </ul>
            </Section>
          ))
        ))}
    </Page>
  );
}
